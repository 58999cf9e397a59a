import app.db.base as db_base

database = "sqlite"


def get_session():
    yield from db_base.get_db()


def metadata():
    return db_base.Base.metadata
