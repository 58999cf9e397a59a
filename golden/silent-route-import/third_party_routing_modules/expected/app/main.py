"""A project router lost silently is still reported, and so is a library's router this app
mounts (include_router)."""

import logging

from fastapi import FastAPI

app = FastAPI()

_failed_routers: list[str] = []

try:
    from app.routers import items

    app.include_router(items.router)
except ImportError:
    logging.getLogger(__name__).exception("Router app.routers.items failed to load")
    _failed_routers.append("app.routers.items")

try:
    from fastapi_admin_ext.routes import admin_router

    app.include_router(admin_router)
except ImportError:
    logging.getLogger(__name__).exception(
        "Router fastapi_admin_ext.routes failed to load"
    )
    _failed_routers.append("fastapi_admin_ext.routes")

if _failed_routers:
    logging.getLogger(__name__).warning(
        "Routers not loaded: %s", ", ".join(_failed_routers)
    )
