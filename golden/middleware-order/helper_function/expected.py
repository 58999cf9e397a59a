from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .throttling import ThrottlingMiddleware


def setup_middleware(app: FastAPI) -> None:
    """Register the middleware stack."""
    app.add_middleware(ThrottlingMiddleware)
    app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"])
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["example.com"])


def create_app() -> FastAPI:
    application = FastAPI()
    setup_middleware(application)
    return application
