import app.db.base as db_base


def get_session():
    yield from db_base.get_db()
