from app.db.base import Base


class User(Base):
    engine = "not a module-level name"
