"""``app`` is rebound (the usual FastAPI variable): ``app.db.base.get_db`` may not be the module's."""

import app.db.base

from fastapi import FastAPI

app = FastAPI()


def get_session():
    yield from app.db.base.get_db()
