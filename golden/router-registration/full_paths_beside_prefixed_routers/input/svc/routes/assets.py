from fastapi import APIRouter

router = APIRouter()


@router.get("/assets")
async def assets() -> list:
    return []


@router.get("/assets/{asset_id}")
async def asset(asset_id: int) -> dict:
    return {}
