"""Only the metrics exporter is optional: the app's own start-up and a connection whose author
raises on purpose must stop a broken deploy."""

import contextlib
import logging

from fastapi import FastAPI

from app import redis_client
from app.redis_client import connect_metrics

logger = logging.getLogger(__name__)


def create_app(config: dict) -> FastAPI:
    async def startup() -> None:
        if not config.get("ADMIN_PASSWORD"):
            raise ValueError("ADMIN_PASSWORD is required")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await startup()
        await redis_client.connect_redis()
        await connect_metrics()
        yield

    return FastAPI(lifespan=lifespan)
