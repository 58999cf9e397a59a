"""Repeats in the nested blocks of start-up code; the rest of the file is left alone."""

from contextlib import asynccontextmanager

from fastapi import FastAPI


def setup_tracing(app):
    return app


def init_cache():
    return None


async def connect_db():
    return None


@asynccontextmanager
async def lifespan(app: FastAPI):
    setup_tracing(app)
    if app.debug:
        init_cache()
        init_cache()
    try:
        await connect_db()
        await connect_db()
    except RuntimeError:
        pass
    with open(__file__):
        # explains the call
        setup_tracing(app)
        # and again
        setup_tracing(app)
    setup_tracing(app)
    yield
    setup_tracing(app)
    setup_tracing(app)


def not_startup():
    init_cache()
    init_cache()


class Factory:
    def build(self) -> FastAPI:
        async def startup():
            for _ in range(1):
                init_cache()
                init_cache()

        application = FastAPI(on_startup=[startup])
        application.router.lifespan_context = lifespan
        return application


app = FastAPI(lifespan=lifespan)
