"""The knowledge_graph routes."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/knowledge_graph")
async def knowledge_graph() -> dict[str, str]:
    return {"status": "ok"}
