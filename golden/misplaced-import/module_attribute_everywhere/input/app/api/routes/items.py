"""A module binding whose missing attribute is read in every kind of expression."""

import app.db.base as db_base
from app.db.base import Base; first = db_base.get_db  # noqa: E702


def decorate(value):
    return lambda function: function


@decorate(db_base.get_db)
def handler(dependency=db_base.get_db, *, other=lambda: db_base.get_db) -> type(db_base.get_db):
    values = [db_base.get_db for _ in range(2)]
    label = f"{db_base.get_db!r}"
    return values, label, dependency, other


class Repository(Base if db_base.get_db else object):
    session = db_base.get_db

    def load(self, flag):
        if flag:
            pass
        elif db_base.get_db:
            pass
        try:
            pass
        except db_base.get_db:
            pass
        with db_base.get_db() as session:
            pass
        for item in db_base.get_db():
            print(item)
        while db_base.get_db:
            break
        match db_base.get_db:
            case _:
                pass
        return session


def unrelated(x):
    return [y * 2 for y in x if y]
