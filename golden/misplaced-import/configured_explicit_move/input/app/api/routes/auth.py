from app.db.base import Base, SessionLocal
from app.db.legacy import get_db, helper

DEPS = [Base, SessionLocal, get_db, helper]
