from fastapi import APIRouter

router = APIRouter()


@router.get("/")
async def index() -> list:
    return []


@router.get("/{item_id}")
async def item(item_id: int) -> dict:
    return {}
