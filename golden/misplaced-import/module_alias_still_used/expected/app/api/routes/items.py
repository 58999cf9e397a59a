import app.db.base as db_base
import app.database as database_module

database = "sqlite"


def get_session():
    yield from database_module.get_db()


def metadata():
    return db_base.Base.metadata
