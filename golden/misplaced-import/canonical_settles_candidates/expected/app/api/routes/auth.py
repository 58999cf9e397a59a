from app.services.sessions import get_db

DEPS = [get_db]
