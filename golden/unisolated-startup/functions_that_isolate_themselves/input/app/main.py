"""Project functions whose whole body is a try/except Exception that logs cannot fail start-up:
their calls are not findings. Functions that can still raise are."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import services
from app.services import init_cache, setup_tracing, start_exporter

logger = logging.getLogger(__name__)


def start_metrics() -> None:
    try:
        import prometheus_client

        prometheus_client.start_http_server(9000)
    except Exception:
        logger.exception("metrics disabled")


@asynccontextmanager
async def lifespan(app: FastAPI):
    await init_cache()
    services.init_db()
    start_metrics()
    setup_tracing()
    start_exporter()
    yield


app = FastAPI(lifespan=lifespan)
