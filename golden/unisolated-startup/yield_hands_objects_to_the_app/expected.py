"""The yield hands objects to the app: it is no shutdown work. Instrumenting engine.sync_engine
starts no engine, so engine.dispose() stays as it is; the pool handed whole to start_workers is
what its close() stops, so both are isolated."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from app.obs import instrument_sqlalchemy
from app.workers import WorkerPool, start_workers

logger = logging.getLogger(__name__)


@asynccontextmanager
async def engine_lifespan(app: FastAPI):
    engine = create_async_engine("postgresql+asyncpg://db/app")
    try:
        instrument_sqlalchemy(engine.sync_engine)
    except Exception:
        logger.exception(
            "instrument_sqlalchemy() failed at startup; continuing without it"
        )
    yield {"engine": engine}
    await engine.dispose()


@asynccontextmanager
async def workers_lifespan(app: FastAPI):
    pool = WorkerPool()
    try:
        await start_workers(pool)
    except Exception:
        logger.exception("start_workers() failed at startup; continuing without it")
    yield {"pool": pool}
    try:
        await pool.close()
    except Exception:
        logger.exception("pool.close() failed at shutdown")


app = FastAPI(lifespan=engine_lifespan)
