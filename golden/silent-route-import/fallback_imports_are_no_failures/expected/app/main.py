"""A handler that loads an alternative under the same name is a fallback, not a silent
failure: the router still loads, and if the fallback fails too its error propagates. Neither a
finding nor a change, required or not; a handler that leaves a name unbound (or sets it to None)
still loses a router."""

import logging

from fastapi import FastAPI

from app.routes import legacy

app = FastAPI()

try:
    from app.routes import items
except ImportError:
    # deployments that still ship the v1 module
    from app.routes import items_v1 as items

try:
    from app.routes.reports import router as reports_router
except ModuleNotFoundError:
    try:
        from app.routes.reports_v1 import router as reports_router
    except ImportError:
        reports_router = legacy.router

try:
    from app.routes.billing import router as billing_router
except ImportError:
    billing_router = legacy.router

_failed_routers: list[str] = []

try:
    from .routes import admin
except ImportError:
    admin = None
    logging.getLogger(__name__).exception("Router app.routes.admin failed to load")
    _failed_routers.append("app.routes.admin")

try:
    from app.routes import orders, users
except ImportError:
    from app.routes import users_v1 as users
    logging.getLogger(__name__).exception(
        "Router app.routes.orders, app.routes.users failed to load"
    )
    _failed_routers.extend(["app.routes.orders", "app.routes.users"])

if _failed_routers:
    logging.getLogger(__name__).warning(
        "Routers not loaded: %s", ", ".join(_failed_routers)
    )

app.include_router(items.router)
app.include_router(reports_router)
app.include_router(billing_router)
app.include_router(users.router)
if admin is not None:
    app.include_router(admin.router)
