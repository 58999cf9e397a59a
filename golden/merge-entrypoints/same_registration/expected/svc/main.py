"""Private API: credentialed CORS for our own front end.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_public.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full    default; was main.py
    public  was main_public.py

Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):
    ENABLE_GZIP         on in: full
    ENABLE_GZIP_PUBLIC  on in: public
"""

import os
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from svc import views

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {},
    "public": {},
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {
    "ENABLE_GZIP": ("full",),
    "ENABLE_GZIP_PUBLIC": ("public",),
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

    app = FastAPI(title="svc")

    # Arguments that differ between profiles.
    if profile == "public":
        _cors_allow_origins = ["*"]
        _cors_allow_credentials = False
    else:
        from svc.config import ALLOWED_ORIGINS

        _cors_allow_origins = ALLOWED_ORIGINS
        _cors_allow_credentials = True
    app.add_middleware(
        CORSMiddleware,
        allow_origins=_cors_allow_origins,
        allow_credentials=_cors_allow_credentials,
    )

    # from main.py
    if flags["ENABLE_GZIP"]:
        app.add_middleware(GZipMiddleware, minimum_size=1000)

    # from main_public.py
    if flags["ENABLE_GZIP_PUBLIC"]:
        app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)

    # Arguments that differ between profiles.
    if profile == "public":
        _views_prefix = "/public"
    else:
        _views_prefix = "/api"
    app.include_router(views.router, prefix=_views_prefix)
    return app


def __getattr__(name: str) -> object:
    """Build the default ``app`` on first use (``uvicorn module:app``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "app":
        value = globals()["app"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
