from app.db.base import Base
from app.database import get_db as SessionLocal
from app.db.legacy import helper
from app.database import get_db

DEPS = [Base, SessionLocal, get_db, helper]
