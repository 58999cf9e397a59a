"""Minimal entry point: health checks only, for smoke-testing a deployment."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.routes import health
from app.core.config import settings

app = FastAPI(title="Story Platform API (minimal)", version="2.3.0")

app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_methods=["GET"])

app.include_router(health.router, tags=["health"])
