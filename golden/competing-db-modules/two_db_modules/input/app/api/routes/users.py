from app.database import get_db
from app.db.base import Base, SessionLocal
