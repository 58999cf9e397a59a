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
    try:
        setup_tracing(app)
    except Exception:
        log.exception("setup_tracing() failed at startup; continuing without it")
    if app.state.monitoring:
        try:
            await security_monitor.start()  # needs the exporters
        except Exception:
            log.exception(
                "security_monitor.start() failed at startup; continuing without it"
            )
    try:
        await story_scheduler.start()
    except Exception:
        log.exception(
            "story_scheduler.start() failed at startup; continuing without it"
        )
    yield
    try:
        await story_scheduler.stop()
    except Exception:
        log.exception("story_scheduler.stop() failed at shutdown")


app = FastAPI(lifespan=lifespan)
