"""Incremental entry point: each router on its own."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from app.api.routes import health
from app.middleware.stack import RateLimitMiddleware, RequestTrackingMiddleware, SecurityHeadersMiddleware

ROUTERS = ["items"]

app = FastAPI(title="API (incremental)", version="1.0")

app.add_middleware(RequestTrackingMiddleware)
app.add_middleware(SecurityHeadersMiddleware)
app.add_middleware(RateLimitMiddleware, requests_per_minute=300)

app.include_router(health.router, tags=["health"])

loaded: list[str] = []

for name in ROUTERS:
    try:
        module = importlib.import_module(f"app.api.routes.{name}")
    except Exception:
        continue
    app.include_router(module.router, prefix=f"/api/v1/{name}")
    loaded.append(name)


@app.get("/health/routers", tags=["health"])
async def router_health() -> dict[str, object]:
    """Which routers loaded."""
    return {"loaded": loaded}
