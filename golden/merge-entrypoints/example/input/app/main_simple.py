"""Simple entry point: core routes only."""

import os

from fastapi import FastAPI

from app.api.routes import health, items
from app.middleware.stack import SecurityHeadersMiddleware

DEBUG = os.getenv("ENVIRONMENT", "development") != "production"

app = FastAPI(title="API (simple)", version="1.0", debug=DEBUG)

app.add_middleware(SecurityHeadersMiddleware)

app.include_router(health.router, tags=["health"])
app.include_router(items.router, prefix="/api/v1/items")
