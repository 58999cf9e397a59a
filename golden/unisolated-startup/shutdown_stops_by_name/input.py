"""A start and the shutdown call named for the same thing with a stop verb (``init_redis`` ...
``close_redis``) go together: isolating the start isolates that stop too, or leaves both alone."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.services import (
    close_redis,
    connect_broker,
    disconnect_broker,
    init_redis,
    setup_tracing,
    start_cache_warmer,
    stop_reports,
    teardown_tracing,
)

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    await init_redis()
    setup_tracing(app)
    await connect_broker()
    start_cache_warmer()
    yield
    await close_redis()
    teardown_tracing(app)
    closed = await disconnect_broker()
    logger.info("broker closed: %s", closed)
    stop_reports()


app = FastAPI(lifespan=lifespan)
