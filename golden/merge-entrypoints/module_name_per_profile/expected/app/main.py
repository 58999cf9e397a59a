"""Application entry point.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_minimal.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full     default; was main.py
    minimal  was main_minimal.py

Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):
    ENABLE_ITEMS  on in: full
"""

import os
import logging
from fastapi import FastAPI

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {},
    "minimal": {},
}

# The entry module each profile was: its code reads that as `__name__`.
PROFILE_MODULES: dict[str, str] = {
    "full": __name__,
    "minimal": "app.main_minimal",
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {
    "ENABLE_ITEMS": ("full",),
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
    # `__name__` as it was in this profile's entry module.
    _profile_module = PROFILE_MODULES[profile]

    logger = logging.getLogger(_profile_module)

    app = FastAPI(title="svc")

    @app.get("/")
    async def root():
        logger.info("root called")
        return {"ok": True}

    # from main.py
    if flags["ENABLE_ITEMS"]:

        @app.get("/items")
        async def items():
            return []

    return app


def __getattr__(name: str) -> object:
    """Build the default ``app`` on first use (``uvicorn module:app``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "app":
        value = globals()["app"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
