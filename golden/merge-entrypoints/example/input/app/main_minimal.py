"""Minimal entry point: health checks only."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.routes import health
from app.core.config import settings

app = FastAPI(title="API (minimal)", version="1.0")

app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_methods=["GET"])

app.include_router(health.router, tags=["health"])
