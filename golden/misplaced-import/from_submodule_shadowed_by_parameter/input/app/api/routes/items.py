"""``base`` is also a parameter name in this file: the rule cannot tell which ``base`` a read means."""

from app.db import base


def get_session():
    yield from base.get_db()


def render(base):
    return base.get_db
