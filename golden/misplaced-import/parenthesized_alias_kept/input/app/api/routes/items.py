from app.db.base import (
    Base,
    get_db as get_session,  # request-scoped
)

DEPS = [Base, get_session]
