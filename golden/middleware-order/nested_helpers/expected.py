"""Registrations in functions nested in classes and blocks, and a constructor list in a factory."""

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.security import CSRFMiddleware, RateLimitMiddleware

settings = {"hosts": ["example.com"]}


class Setup:
    def middleware(self, app: FastAPI) -> None:
        """Register the stack."""
        app.add_middleware(RateLimitMiddleware, per_minute=60)
        # CORS must answer the browser even when the limiter says no
        app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"])
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings["hosts"])


if settings:

    def configure(app: FastAPI) -> None:
        app.add_middleware(RateLimitMiddleware, per_minute=60)
        app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"])


def create_app() -> FastAPI:
    def build() -> FastAPI:
        app = FastAPI(
            title="shop",
            middleware=[
                Middleware(SessionMiddleware, secret_key="x"),
                Middleware(CSRFMiddleware),
            ],
        )
        return app

    application = build()
    Setup().middleware(application)
    return application
