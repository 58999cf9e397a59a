from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.logger import get_logger
from app.services.scheduler import story_scheduler
from app.services.security import security_monitor
from app.services.tracing import setup_tracing

log = get_logger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    log.info("starting")
    # Tracing first, so startup work is traced.
    setup_tracing(app)
    if app.state.monitoring:
        await security_monitor.start()  # needs the exporters
    await story_scheduler.start()
    yield
    await story_scheduler.stop()


app = FastAPI(lifespan=lifespan)
