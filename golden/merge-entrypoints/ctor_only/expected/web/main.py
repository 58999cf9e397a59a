"""Web entry point.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_debug.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full   default; was main.py
    debug  was main_debug.py
"""

import os
from fastapi import FastAPI
from web.routes import router

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {"title": "Web", "docs_url": None, "openapi_url": "/openapi.json"},
    "debug": {"title": "Web (debug)", "docs_url": "/docs", "debug": True},
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {}


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

    app = FastAPI(**PROFILES[profile])
    app.include_router(router)
    return app


def __getattr__(name: str) -> object:
    """Build the default ``app`` on first use (``uvicorn module:app``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "app":
        value = globals()["app"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
