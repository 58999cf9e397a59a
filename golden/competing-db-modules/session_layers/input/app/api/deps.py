"""Request dependencies: get_db is a layer over app.core.db, not a second database."""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from app.core.db import SessionLocal


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session
