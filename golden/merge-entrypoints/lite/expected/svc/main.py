"""Application entry point.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_lite.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full  default; was main.py
    lite  was main_lite.py

Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):
    ENABLE_GZIP   on in: full
    ENABLE_ADMIN  on in: full
"""

import os
from fastapi import FastAPI as Api
from .views import public

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {},
    "lite": {},
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {
    "ENABLE_GZIP": ("full",),
    "ENABLE_ADMIN": ("full",),
}


def _flag(name: str, profile: str) -> bool:
    """ENABLE_<FEATURE>=true|false in the environment wins over the profile default."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return profile in FEATURE_FLAGS[name]
    return value in ("1", "true", "yes", "on")


def create_app(profile: str | None = None) -> Api:
    """Build the app for ``profile`` (default: $APP_PROFILE, else 'full')."""
    profile = profile or os.environ.get("APP_PROFILE") or "full"
    if profile not in PROFILES:
        raise ValueError(
            f"unknown profile {profile!r}; expected one of {sorted(PROFILES)}"
        )
    flags = {name: _flag(name, profile) for name in FEATURE_FLAGS}

    application = Api(title="svc")

    # from main.py
    if flags["ENABLE_GZIP"]:
        from starlette.middleware.gzip import GZipMiddleware

        application.add_middleware(GZipMiddleware, minimum_size=500)
    application.include_router(public)

    # from main.py
    if flags["ENABLE_ADMIN"]:
        from .views import admin

        application.include_router(admin, prefix="/admin")
    return application


def __getattr__(name: str) -> object:
    """Build the default ``application`` on first use (``uvicorn module:application``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "application":
        value = globals()["application"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
