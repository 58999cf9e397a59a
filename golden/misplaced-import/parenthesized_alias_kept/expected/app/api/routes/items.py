from app.db.base import (
    Base,  # request-scoped
)
from app.database import get_db as get_session

DEPS = [Base, get_session]
