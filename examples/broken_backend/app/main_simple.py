"""Simple entry point: core routes only, no background services."""

import os

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.routes import health
from app.middleware.security import SecurityHeadersMiddleware

DEBUG = os.getenv("ENVIRONMENT", "development") != "production"

app = FastAPI(title="Story Platform API (simple)", version="2.3.0", debug=DEBUG)

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.add_middleware(SecurityHeadersMiddleware)

app.include_router(health.router)

try:
    from app.api.routes import auth, items, users

    app.include_router(auth.router, prefix="/api/v1/auth", tags=["auth"])
    app.include_router(users.router, prefix="/api/v1/users", tags=["users"])
    app.include_router(items.router, prefix="/api/v1/items")
except ImportError:
    pass
