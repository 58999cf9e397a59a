from app.db.base import get_db

DEPS = [get_db]
