"""A service the module's route handlers (or their dependencies) use is no optional service:
wrapped, the app would start and then fail every request. It is reported, not changed; a
service no handler uses is still isolated."""

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from app.clients import cache, metrics, scheduler_client

logger = logging.getLogger(__name__)
router = APIRouter()


@asynccontextmanager
async def lifespan(app: FastAPI):
    scheduler_client.initialize("tcp://127.0.0.1:5555")
    await cache.connect()
    metrics.start()
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
async def start_exporter() -> None:
    app.state.exporter.start()


async def get_cache():
    return cache.client


@app.post("/generate")
async def generate(payload: dict):
    return await scheduler_client.forward(payload)


@router.get("/items/{key}")
async def read_item(key: str, store=Depends(get_cache)):
    return {"key": key, "value": await store.get(key), "version": app.version}
