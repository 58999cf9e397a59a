"""Forwards everything lazily."""
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def __getattr__(name):
    import app.database

    return getattr(app.database, name)
