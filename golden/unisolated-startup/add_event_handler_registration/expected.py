"""A startup handler registered by call, under a name that says nothing about startup."""

import logging

from fastapi import FastAPI

from .db import engine

logger = logging.getLogger(__name__)


def boot() -> None:
    try:
        engine.init_pool()
    except Exception:
        logger.exception("engine.init_pool() failed at startup; continuing without it")


app = FastAPI()
app.add_event_handler("startup", boot)
