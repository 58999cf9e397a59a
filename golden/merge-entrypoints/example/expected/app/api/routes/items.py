"""The items routes."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/items")
async def items() -> dict[str, str]:
    return {"status": "ok"}
