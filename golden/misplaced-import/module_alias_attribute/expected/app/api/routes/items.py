import app.database as database


def get_session():
    yield from database.get_db()
