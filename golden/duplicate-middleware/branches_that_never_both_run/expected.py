"""Registrations that never both run are no duplicates.

The minimal app returns before the second registration; the if/else registers CORS once on
either path. Only the last factory registers GZip twice on one path.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from app import settings


def create_app(minimal: bool = False) -> FastAPI:
    app = FastAPI()
    if minimal:
        app.add_middleware(GZipMiddleware)
        return app
    app.add_middleware(GZipMiddleware)
    return app


def create_other() -> FastAPI:
    app = FastAPI()
    if settings.DEBUG:
        app.add_middleware(CORSMiddleware, allow_origins=settings.ORIGINS)
        app.add_middleware(GZipMiddleware)
    elif settings.STAGING:
        app.add_middleware(CORSMiddleware, allow_origins=["https://staging.example.com"])
    else:
        app.add_middleware(CORSMiddleware, allow_origins=settings.ORIGINS)
    return app


def create_last(debug: bool) -> FastAPI:
    app = FastAPI()
    app.add_middleware(GZipMiddleware)
    return app
