from fastapi import APIRouter

router = APIRouter()


@router.get("/misc")
async def misc() -> dict:
    return {}
