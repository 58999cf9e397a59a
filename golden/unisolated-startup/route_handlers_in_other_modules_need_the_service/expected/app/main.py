"""Services that route handlers in other modules use (imported from where they are defined, or
through a package that re-exports them, or through a Depends function of a third module) are no
optional services: wrapped, the app would start and then fail their requests. They are reported,
not changed; the metrics exporter, which only a background task uses, is still isolated."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.clients import cache, metrics, notifier
from app.routes import router
from app.services.sessions import session_manager

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    await session_manager.start()
    await cache.connect()
    await notifier.start()
    try:
        metrics.start()
    except Exception:
        logger.exception("metrics.start() failed at startup; continuing without it")
    yield
    await session_manager.shutdown()
    try:
        metrics.stop()
    except Exception:
        logger.exception("metrics.stop() failed at shutdown")


app = FastAPI(lifespan=lifespan)
app.include_router(router)
