from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware


def setup_middleware(app: FastAPI) -> None:
    """Register the middleware stack."""
    app.add_middleware(GZipMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=10)


def create_app() -> FastAPI:
    application = FastAPI()
    setup_middleware(application)
    return application
