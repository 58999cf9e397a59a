"""Without its database the app fails every request: those start-up calls are reported, but only
the optional cache is isolated."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.cache import cache
from app.db import init_db, start_migrations

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    start_migrations()
    await init_db()
    await cache.connect()
    yield


app = FastAPI(lifespan=lifespan)
