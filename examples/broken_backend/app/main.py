"""Production entry point: the full API with every feature and middleware."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api.routes import health
from app.core.cache import cache_manager
from app.core.config import settings
from app.core.logger import get_logger
from app.database import db_manager
from app.middleware.https_redirect import EnhancedHTTPSRedirectMiddleware
from app.middleware.knowledge_graph import KnowledgeGraphMiddleware
from app.middleware.monitoring import PrometheusMiddlewareV2, SecurityMonitoringMiddleware
from app.middleware.performance import PerformanceOptimizationMiddleware
from app.middleware.rate_limit import RateLimitMiddleware
from app.middleware.security import CSRFMiddleware, SecurityHeadersMiddleware
from app.middleware.tracking import RequestTrackingMiddleware, TraceContextMiddleware
from app.middleware.versioning import APIVersioningMiddleware
from app.services.db_optimization import db_optimization_manager
from app.services.security_monitoring import security_monitor
from app.services.story_scheduler import story_scheduler
from app.services.tracing import setup_tracing

logger = get_logger(__name__)

# (module, prefix, tags) for every feature router, loaded at startup.
ROUTE_MODULES: list[tuple[str, str, list[str] | None]] = [
    ("app.api.routes.auth", "/api/v1/auth", ["auth"]),
    ("app.api.routes.users", "/api/v1/users", ["users"]),
    ("app.api.routes.items", "/api/v1/items", ["items"]),
    ("app.api.routes.knowledge_graph", "/api/v1/knowledge-graph", ["knowledge-graph"]),
    ("app.api.routes.metrics", "/internal", None),
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start background services, then stop them on shutdown."""
    logger.info("Starting API (environment=%s)", settings.ENVIRONMENT)

    # Distributed tracing first, so startup work is traced.
    setup_tracing(app)

    cache_manager.initialize()

    # Security monitoring
    if settings.ENABLE_MONITORING:
        await security_monitor.start()

    # Database optimization
    await db_optimization_manager.start()

    # Re-initialize tracing now that the monitoring exporters are registered.
    setup_tracing(app)

    # Story opportunity scheduler
    await story_scheduler.start()

    logger.info("Startup complete")
    yield

    await story_scheduler.stop()
    await db_optimization_manager.stop()
    if settings.ENABLE_MONITORING:
        await security_monitor.stop()
    db_manager.dispose()


app = FastAPI(
    title="Story Platform API",
    version="2.3.0",
    docs_url=None if settings.ENVIRONMENT == "production" else "/docs",
    lifespan=lifespan,
)

# --- Middleware -------------------------------------------------------------
app.add_middleware(EnhancedHTTPSRedirectMiddleware)
app.add_middleware(RequestTrackingMiddleware)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.CORS_ORIGINS,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.add_middleware(TraceContextMiddleware)
if settings.ENABLE_KNOWLEDGE_GRAPH:
    app.add_middleware(KnowledgeGraphMiddleware)
app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)
app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)
app.add_middleware(PrometheusMiddlewareV2)
app.add_middleware(APIVersioningMiddleware)
app.add_middleware(SecurityMonitoringMiddleware)
app.add_middleware(RateLimitMiddleware)
app.add_middleware(SecurityHeadersMiddleware)
app.add_middleware(CSRFMiddleware)

# --- Routes -----------------------------------------------------------------
app.include_router(health.router, tags=["health"])

for module_name, prefix, tags in ROUTE_MODULES:
    try:
        module = importlib.import_module(module_name)
        app.include_router(module.router, prefix=prefix, tags=tags)
    except Exception as exc:
        logger.warning(f"Failed to load {module_name}: {exc}")
        continue

# JWKS must be served from the well-known path, without the API prefix.
try:
    from app.api.routes import jwks

    app.include_router(jwks.router)
except ImportError:
    pass

try:
    from app.api.routes import csrf

    app.include_router(csrf.router, prefix="/api/v1/csrf", tags=["security"])
except ImportError:
    pass

try:
    from app.api.routes import maps_proxy

    app.include_router(maps_proxy.router, prefix="/api/v1/maps")
except ImportError:
    pass
