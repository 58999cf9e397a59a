"""Knowledge graph exploration endpoints."""

from fastapi import APIRouter, HTTPException

router = APIRouter()

# Seed data until the graph store is wired in.
_ENTITIES: dict[str, dict[str, object]] = {
    "story": {"id": "story", "related": ["author", "location"]},
    "author": {"id": "author", "related": ["story"]},
}


@router.get("/entities")
async def list_entities() -> list[str]:
    return sorted(_ENTITIES)


@router.get("/entities/{entity_id}")
async def get_entity(entity_id: str) -> dict[str, object]:
    if entity_id not in _ENTITIES:
        raise HTTPException(status_code=404, detail="Unknown entity")
    return _ENTITIES[entity_id]
