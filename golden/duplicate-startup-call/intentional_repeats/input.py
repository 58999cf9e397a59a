import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .broker import broker

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI):
    logger.info("starting")
    await broker.connect()
    await asyncio.sleep(1)
    await asyncio.sleep(1)
    logger.info("starting")
    yield
    await broker.disconnect()
    await broker.connect()  # shutdown code is not startup


app = FastAPI(lifespan=lifespan)
