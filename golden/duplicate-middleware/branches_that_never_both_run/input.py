"""Registrations that never both run are no duplicates.

The minimal app returns before the second registration, and so does a guard between two
registrations; the if/else registers CORS once on either path. create_last registers GZip twice
on one path, and create_sessions SessionMiddleware (a branch that raises hands no app back).
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

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
    if debug:
        app.add_middleware(GZipMiddleware)
    app.add_middleware(GZipMiddleware)
    return app


def create_guarded(health_only: bool) -> FastAPI:
    app = FastAPI()
    if health_only:
        app.add_middleware(GZipMiddleware, minimum_size=500)
    if health_only:
        return app
    app.add_middleware(GZipMiddleware, minimum_size=500)
    return app


def create_sessions(sessions: bool, key: str) -> FastAPI:
    app = FastAPI()
    if sessions:
        if not key:
            raise RuntimeError("SESSION_KEY is required")
        app.add_middleware(SessionMiddleware, secret_key=key)
    app.add_middleware(SessionMiddleware, secret_key=key)
    return app
