"""A layer over app.database (imported through the package's re-export), not a competitor."""

from ..database import DatabaseManager

_db = DatabaseManager("sqlite://")


async def get_db() -> DatabaseManager:
    return _db
