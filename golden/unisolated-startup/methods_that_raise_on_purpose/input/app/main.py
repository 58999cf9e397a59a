"""A method of a project class that raises on purpose (the receiver built from the class, or
annotated with it, here or in the module it is imported from; the method found in the class or
its project bases) means its author wants start-up to stop: reported, not changed. A method
without a ``raise``, or one reached through an attribute chain that cannot be followed, is still
isolated."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.providers import worker
from app.providers.queue import queue
from app.telemetry import Exporter, Registry

logger = logging.getLogger(__name__)
exporter = Exporter()
registry = Registry()


@asynccontextmanager
async def lifespan(app: FastAPI):
    await worker.orchestrator.start_worker()
    await queue.connect()
    exporter.start()
    registry.exporter.start()
    yield


app = FastAPI(lifespan=lifespan)
