"""Auth."""
from app.core_settings import settings  # noqa: F401  (third line kept)
from app.db.base import get_db  # the session dependency


def login(db=get_db):
    return db
