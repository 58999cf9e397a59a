"""Production entry point: every feature."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.routes import health
from app.core.config import settings
from app.middleware.monitoring import KnowledgeGraphMiddleware, PrometheusMiddleware
from app.middleware.stack import RateLimitMiddleware, RequestTrackingMiddleware, SecurityHeadersMiddleware

ROUTE_MODULES = [
    ("app.api.routes.items", "/api/v1/items"),
    ("app.api.routes.knowledge_graph", "/api/v1/knowledge-graph"),
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Nothing to start in the golden case."""
    yield


app = FastAPI(
    title="API",
    version="1.0",
    docs_url=None if settings.ENVIRONMENT == "production" else "/docs",
    lifespan=lifespan,
)

app.add_middleware(RequestTrackingMiddleware)
app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_methods=["*"])
if settings.ENABLE_KNOWLEDGE_GRAPH:
    app.add_middleware(KnowledgeGraphMiddleware)
app.add_middleware(PrometheusMiddleware)
app.add_middleware(RateLimitMiddleware)
app.add_middleware(SecurityHeadersMiddleware)

app.include_router(health.router, tags=["health"])

for module_name, prefix in ROUTE_MODULES:
    module = importlib.import_module(module_name)
    app.include_router(module.router, prefix=prefix)
