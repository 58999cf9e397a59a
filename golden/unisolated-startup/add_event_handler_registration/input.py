"""A startup handler registered by call, under a name that says nothing about startup."""

import logging

from fastapi import FastAPI

from .db import engine

logger = logging.getLogger(__name__)


def boot() -> None:
    engine.init_pool()


app = FastAPI()
app.add_event_handler("startup", boot)
