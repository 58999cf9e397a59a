import contextlib

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from .cache import init_cache


def create_app(settings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def run(app: FastAPI):
        if settings.cache_url:
            await init_cache(settings.cache_url)
        FastAPIInstrumentor.instrument_app(app)
        yield

    return FastAPI(lifespan=run)
