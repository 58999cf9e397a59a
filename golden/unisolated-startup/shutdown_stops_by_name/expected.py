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
    try:
        await init_redis()
    except Exception:
        logger.exception("init_redis() failed at startup; continuing without it")
    try:
        setup_tracing(app)
    except Exception:
        logger.exception("setup_tracing() failed at startup; continuing without it")
    await connect_broker()
    try:
        start_cache_warmer()
    except Exception:
        logger.exception(
            "start_cache_warmer() failed at startup; continuing without it"
        )
    yield
    try:
        await close_redis()
    except Exception:
        logger.exception("close_redis() failed at shutdown")
    try:
        teardown_tracing(app)
    except Exception:
        logger.exception("teardown_tracing() failed at shutdown")
    closed = await disconnect_broker()
    logger.info("broker closed: %s", closed)
    stop_reports()


app = FastAPI(lifespan=lifespan)
