"""Liveness endpoint used by the load balancer."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
async def health() -> dict[str, str]:
    """Cheap liveness check: never touches the database."""
    return {"status": "ok"}
