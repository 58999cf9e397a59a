import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.workers import WorkerPool, start_metrics

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = WorkerPool()
    await pool.start()
    start_metrics(app)
    try:
        yield
    finally:
        await pool.stop()


app = FastAPI(lifespan=lifespan)
