"""A failed start must not turn into a crash at shutdown: the shutdown handler stops the same
objects, so isolating a start isolates its stop too, or leaves both alone."""

import logging

from fastapi import FastAPI

from app.services import cache, scheduler

logger = logging.getLogger(__name__)
app = FastAPI()


@app.on_event("startup")
async def start() -> None:
    await cache.connect()
    scheduler.start()


@app.on_event("shutdown")
async def stop() -> None:
    scheduler.shutdown()
    await cache.disconnect(); logger.info("cache closed")
