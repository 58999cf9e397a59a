try:
    from fast_db import get_db
except ImportError:
    def get_db():
        yield None
