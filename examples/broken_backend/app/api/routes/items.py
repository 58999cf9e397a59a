"""Story items."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

import app.db.base as db_base

router = APIRouter()


def get_session() -> Iterator[Session]:
    """Session dependency, kept separate so tests can override it."""
    yield from db_base.get_db()


@router.get("/")
def list_items(db: Annotated[Session, Depends(get_session)]) -> list[dict[str, str]]:
    return []


@router.get("/{item_id}")
def get_item(item_id: int, db: Annotated[Session, Depends(get_session)]) -> dict[str, int]:
    return {"id": item_id}
