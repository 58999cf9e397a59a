"""User administration endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from ...db.base import Base, get_db
from ...models.user import User

router = APIRouter()


@router.get("/")
def list_users(db: Annotated[Session, Depends(get_db)]) -> list[dict[str, str]]:
    """List users (paginated listing lands in the next release)."""
    return []


@router.get("/schema")
def user_schema() -> dict[str, list[str]]:
    """Columns of the users table, for the admin UI."""
    table = Base.metadata.tables[User.__tablename__]
    return {"columns": [column.name for column in table.columns]}
