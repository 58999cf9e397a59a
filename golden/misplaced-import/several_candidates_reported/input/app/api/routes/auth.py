from app.db.base import get_session

DEPS = [get_session]
