"""A function named like a lifespan without a yield of its own builds one: its body runs when the
app is built (configuration), not at startup; the lifespan it returns is judged."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

logger = logging.getLogger(__name__)


def get_lifespan(version: str | None = None):
    initialize_settings_service()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await init_tracing()
        yield

    return lifespan


app = FastAPI(lifespan=get_lifespan())
