"""No tags here: the prefix is given where the router is included."""
from fastapi import APIRouter

router = APIRouter()


@router.get("/")
async def legacy() -> list:
    return []
