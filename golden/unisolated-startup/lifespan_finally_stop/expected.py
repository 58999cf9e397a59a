import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.workers import WorkerPool, start_metrics

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = WorkerPool()
    try:
        await pool.start()
    except Exception:
        logger.exception("pool.start() failed at startup; continuing without it")
    try:
        start_metrics(app)
    except Exception:
        logger.exception("start_metrics() failed at startup; continuing without it")
    try:
        yield
    finally:
        try:
            await pool.stop()
        except Exception:
            logger.exception("pool.stop() failed at shutdown")


app = FastAPI(lifespan=lifespan)
