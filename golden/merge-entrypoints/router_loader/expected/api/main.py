"""Full service: every feature router.

One entry point for every deployment profile (merged by archfix merge-entrypoints from
main.py, main_incremental.py, main_lite.py).

Profiles (``create_app(profile)``, or the APP_PROFILE environment variable):
    full         default; was main.py
    incremental  was main_incremental.py
    lite         was main_lite.py

Feature flags (ENABLE_<FEATURE>=true|false in the environment overrides the profile):
    ENABLE_ROUTERS        on in: full, incremental
    ENABLE_ROUTER_STATUS  on in: incremental
"""

import os
import importlib
import logging
from fastapi import FastAPI

# Constructor arguments that differ between profiles.
PROFILES: dict[str, dict[str, object]] = {
    "full": {"title": "Shop"},
    "incremental": {"title": "Shop (incremental)"},
    "lite": {"title": "Shop (lite)"},
}

# The entry module each profile was: its code reads that as `__name__`.
PROFILE_MODULES: dict[str, str] = {
    "full": __name__,
    "incremental": "api.main_incremental",
    "lite": "api.main_lite",
}

# Feature flag -> the profiles it is on in by default.
FEATURE_FLAGS: dict[str, tuple[str, ...]] = {
    "ENABLE_ROUTERS": ("full", "incremental"),
    "ENABLE_ROUTER_STATUS": ("incremental",),
}

# Routers loaded by _include_routers(): profile -> (name, module, include_router arguments).
ROUTER_MODULES: dict[str, list[tuple[str, str, dict[str, object]]]] = {
    "full": [
        ("api.routers.auth", "api.routers.auth", {"prefix": "/auth", "tags": ["auth"]}),
        (
            "api.routers.users",
            "api.routers.users",
            {"prefix": "/users", "tags": ["users"]},
        ),
        (
            "api.routers.orders",
            "api.routers.orders",
            {"prefix": "/orders", "tags": None},
        ),
    ],
    "incremental": [
        ("auth", "api.routers.auth", {"prefix": "/auth"}),
        ("users", "api.routers.users", {"prefix": "/users"}),
    ],
    "lite": [],
}

# Routers that must load (by name or module): their import error stops the app.
REQUIRED_ROUTERS: tuple[str, ...] = ("auth",)


def _include_routers(
    app: FastAPI,
    routers: list[tuple[str, str, dict[str, object]]],
    logger: logging.Logger | None = None,
    loaded: list[str] | None = None,
    failed: dict[str, str] | None = None,
) -> None:
    """Import each router module and include its router, in order.

    A router that fails to import is logged with its traceback and skipped, so the others
    still load; a router listed in REQUIRED_ROUTERS re-raises and stops the app.
    """
    log = logger or logging.getLogger(__name__)
    for name, module_name, options in routers:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            short = module_name.rsplit(".", 1)[-1]
            if {name, module_name, short} & set(REQUIRED_ROUTERS):
                raise
            log.exception("Router %s failed to load", name)
            if failed is not None:
                failed[name] = f"{type(exc).__name__}: {exc}"
            continue
        app.include_router(module.router, **options)
        if loaded is not None:
            loaded.append(name)
        log.info("Router %s loaded at %s", name, options.get("prefix", "/"))


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

    # from main.py, main_incremental.py
    if profile in ("full", "incremental") or flags["ENABLE_ROUTERS"]:
        from api.log import get_logger

        logger = get_logger(_profile_module)

    app = FastAPI(**PROFILES[profile])

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ping": "pong"}

    # from main_incremental.py
    if (
        profile == "incremental"
        or flags["ENABLE_ROUTERS"]
        or flags["ENABLE_ROUTER_STATUS"]
    ):
        loaded: list[str] = []
        failed: dict[str, str] = {}

    # from main.py, main_incremental.py
    if flags["ENABLE_ROUTERS"]:
        _include_routers(
            app, ROUTER_MODULES[profile], logger=logger, loaded=loaded, failed=failed
        )

    # from main_incremental.py
    if flags["ENABLE_ROUTER_STATUS"]:

        @app.get("/status/routers")
        def router_status() -> dict[str, object]:
            return {"loaded": loaded, "failed": failed}

    return app


def __getattr__(name: str) -> object:
    """Build the default ``app`` on first use (``uvicorn module:app``), so that
    importing ``create_app`` for another profile never imports the default profile's modules.
    """
    if name == "app":
        value = globals()["app"] = create_app()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
