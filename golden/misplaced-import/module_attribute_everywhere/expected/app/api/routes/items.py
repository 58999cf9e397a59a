"""A module binding whose missing attribute is read in every kind of expression."""

import app.database as database
from app.db.base import Base; first = database.get_db  # noqa: E702


def decorate(value):
    return lambda function: function


@decorate(database.get_db)
def handler(dependency=database.get_db, *, other=lambda: database.get_db) -> type(database.get_db):
    values = [database.get_db for _ in range(2)]
    label = f"{database.get_db!r}"
    return values, label, dependency, other


class Repository(Base if database.get_db else object):
    session = database.get_db

    def load(self, flag):
        if flag:
            pass
        elif database.get_db:
            pass
        try:
            pass
        except database.get_db:
            pass
        with database.get_db() as session:
            pass
        for item in database.get_db():
            print(item)
        while database.get_db:
            break
        match database.get_db:
            case _:
                pass
        return session


def unrelated(x):
    return [y * 2 for y in x if y]
