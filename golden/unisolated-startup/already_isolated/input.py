import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .services import metrics, scheduler

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    try:
        await scheduler.start()
    except Exception:
        logger.exception("scheduler failed")
    try:
        metrics.setup()
        yield
    finally:
        metrics.shutdown()


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
async def warm() -> None:
    app.state.ready = True
    logger.info("started")
