"""The alias is rebound (a parameter of a nested function): the attribute may not be the module's."""

import app.db.base as db_base


def get_session():
    yield from db_base.get_db()


def factory():
    def inner(db_base):
        return db_base.get_db

    return inner
