from app.db.base import get_db
from app.db.compat import get_db as compat_get_db

try:
    from app.db.base import Session
except ImportError:
    Session = None
DEPS = [get_db, compat_get_db, Session]
