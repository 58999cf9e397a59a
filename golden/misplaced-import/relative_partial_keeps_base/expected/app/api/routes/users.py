from ...db.base import Base
from ...database import get_db
from ...db import base as _unused  # noqa: F401


def table(db=get_db):
    return Base.metadata
