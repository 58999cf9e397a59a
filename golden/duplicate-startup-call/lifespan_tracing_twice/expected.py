from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.services.monitoring import security_monitor
from app.services.tracing import setup_tracing


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Distributed tracing first, so startup work is traced.
    setup_tracing(app)

    await security_monitor.start()

    # Re-initialize tracing now that the monitoring exporters are registered.
    yield
    await security_monitor.stop()


app = FastAPI(lifespan=lifespan)
