import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .cache import cache
from .db import db_manager, init_db

logger = logging.getLogger(__name__)


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await init_db()
        await db_manager.connect()
        try:
            await cache.connect()
        except Exception:
            logger.exception("cache.connect() failed at startup; continuing without it")
        yield

    return FastAPI(lifespan=lifespan)
