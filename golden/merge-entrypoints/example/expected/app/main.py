"""Production entry point: every feature.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_incremental.py, main_minimal.py, main_simple.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full         default; was main.py
    incremental  was main_incremental.py
    minimal      was main_minimal.py
    simple       was main_simple.py

Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):
    ENABLE_REQUEST_TRACKING        on in: full, incremental
    ENABLE_CORS                    on in: full, minimal
    ENABLE_KNOWLEDGE_GRAPH         on in: full
    ENABLE_MONITORING              on in: full
    ENABLE_RATE_LIMIT              on in: full
    ENABLE_RATE_LIMIT_INCREMENTAL  on in: incremental
    ENABLE_SECURITY_HEADERS        on in: full, incremental, simple
    ENABLE_ROUTE_MODULES           on in: full
    ENABLE_ROUTERS                 on in: incremental
    ENABLE_ROUTER_HEALTH           on in: incremental
    ENABLE_ITEMS                   on in: simple
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from fastapi import FastAPI
from app.api.routes import health
import os

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {"title": "API"},
    "incremental": {"title": "API (incremental)"},
    "minimal": {"title": "API (minimal)"},
    "simple": {"title": "API (simple)"},
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {
    "ENABLE_REQUEST_TRACKING": ("full", "incremental"),
    "ENABLE_CORS": ("full", "minimal"),
    "ENABLE_KNOWLEDGE_GRAPH": ("full",),
    "ENABLE_MONITORING": ("full",),
    "ENABLE_RATE_LIMIT": ("full",),
    "ENABLE_RATE_LIMIT_INCREMENTAL": ("incremental",),
    "ENABLE_SECURITY_HEADERS": ("full", "incremental", "simple"),
    "ENABLE_ROUTE_MODULES": ("full",),
    "ENABLE_ROUTERS": ("incremental",),
    "ENABLE_ROUTER_HEALTH": ("incremental",),
    "ENABLE_ITEMS": ("simple",),
}


def _flag(name: str, profile: str) -> bool:
    """ENABLE_<FEATURE>=true|false in the environment wins over the profile default."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return profile in FEATURE_FLAGS[name]
    return value in ("1", "true", "yes", "on")


def create_app(profile: str | None = None) -> FastAPI:
    """Build the app for ``profile`` (default: $APP_PROFILE, else 'full')."""
    profile = profile or os.environ.get("APP_PROFILE") or "full"
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}; expected one of {sorted(PROFILES)}"
        )
    flags = {name: _flag(name, profile) for name in FEATURE_FLAGS}

    # from main.py
    if profile == "full" or flags["ENABLE_ROUTE_MODULES"]:
        ROUTE_MODULES = [
            ("app.api.routes.items", "/api/v1/items"),
            ("app.api.routes.knowledge_graph", "/api/v1/knowledge-graph"),
        ]

    # from main.py
    if profile == "full":
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            """Nothing to start in the golden case."""
            yield

    # from main_incremental.py
    if profile == "incremental" or flags["ENABLE_ROUTERS"]:
        ROUTERS = ["items"]

    # from main_simple.py
    if profile == "simple":
        DEBUG = os.getenv("ENVIRONMENT", "development") != "production"

    # Constructor arguments of this profile.
    options: dict[str, object] = dict(PROFILES[profile])
    # from main.py
    if profile == "full":
        from app.core.config import settings

        options["docs_url"] = None if settings.ENVIRONMENT == "production" else "/docs"
        options["lifespan"] = lifespan
    # from main_simple.py
    if profile == "simple":
        options["debug"] = DEBUG

    app = FastAPI(version="1.0", **options)

    # from main.py, main_incremental.py
    if flags["ENABLE_REQUEST_TRACKING"]:
        from app.middleware.stack import RequestTrackingMiddleware

        app.add_middleware(RequestTrackingMiddleware)

    # from main.py, main_minimal.py
    if flags["ENABLE_CORS"]:
        from starlette.middleware.cors import CORSMiddleware
        from app.core.config import settings

        # Arguments that differ between profiles.
        if profile == "minimal":
            _cors_allow_methods = ["GET"]
        else:
            _cors_allow_methods = ["*"]
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.CORS_ORIGINS,
            allow_methods=_cors_allow_methods,
        )

    # from main.py
    if flags["ENABLE_KNOWLEDGE_GRAPH"]:
        from app.core.config import settings
        from app.middleware.monitoring import KnowledgeGraphMiddleware

        if settings.ENABLE_KNOWLEDGE_GRAPH:
            app.add_middleware(KnowledgeGraphMiddleware)

    # from main.py
    if flags["ENABLE_MONITORING"]:
        from app.middleware.monitoring import PrometheusMiddleware

        app.add_middleware(PrometheusMiddleware)

    # from main.py
    if flags["ENABLE_RATE_LIMIT"]:
        from app.middleware.stack import RateLimitMiddleware

        app.add_middleware(RateLimitMiddleware)

    # from main.py, main_incremental.py, main_simple.py
    if flags["ENABLE_SECURITY_HEADERS"]:
        from app.middleware.stack import SecurityHeadersMiddleware

        app.add_middleware(SecurityHeadersMiddleware)

    # from main_incremental.py
    if flags["ENABLE_RATE_LIMIT_INCREMENTAL"]:
        from app.middleware.stack import RateLimitMiddleware

        app.add_middleware(RateLimitMiddleware, requests_per_minute=300)

    app.include_router(health.router, tags=["health"])

    # from main.py
    if flags["ENABLE_ROUTE_MODULES"]:
        import importlib

        for module_name, prefix in ROUTE_MODULES:
            module = importlib.import_module(module_name)
            app.include_router(module.router, prefix=prefix)

    # from main_incremental.py
    if (
        profile == "incremental"
        or flags["ENABLE_ROUTERS"]
        or flags["ENABLE_ROUTER_HEALTH"]
    ):
        loaded: list[str] = []

    # from main_incremental.py
    if flags["ENABLE_ROUTERS"]:
        import importlib

        for name in ROUTERS:
            try:
                module = importlib.import_module(f"app.api.routes.{name}")
            except Exception:
                continue
            app.include_router(module.router, prefix=f"/api/v1/{name}")
            loaded.append(name)

    # from main_incremental.py
    if flags["ENABLE_ROUTER_HEALTH"]:

        @app.get("/health/routers", tags=["health"])
        async def router_health() -> dict[str, object]:
            """Which routers loaded."""
            return {"loaded": loaded}

    # from main_simple.py
    if flags["ENABLE_ITEMS"]:
        from app.api.routes import items

        app.include_router(items.router, prefix="/api/v1/items")
    return app


def __getattr__(name: str) -> object:
    """Build the default ``app`` on first use (``uvicorn module:app``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "app":
        value = globals()["app"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
