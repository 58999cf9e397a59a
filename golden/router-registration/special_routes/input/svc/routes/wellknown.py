from fastapi import APIRouter

router = APIRouter()


@router.get("/.well-known/openid-configuration")
async def openid() -> dict:
    return {}
