from .deps import get_db
