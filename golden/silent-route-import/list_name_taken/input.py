"""Loaders whose failure list name is already in use: reported, left unchanged."""
import logging
import os

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
_failed_routers = {"legacy"}

if os.environ.get("WITH_ADMIN"):
    try:
        from .routes import admin

        app.include_router(admin.router)
    except ImportError:
        pass

try:
    from .routes import billing
except ImportError:
    try:
        from .routes import billing_legacy as billing
    except ImportError:
        logger.warning("no billing router")
else:
    app.include_router(billing.router)


def load_optional(names: list[str]) -> None:
    failed_routers: list[str] = []
    for name in names:
        try:
            module = __import__(f"app.routes.{name}", fromlist=["router"])
            app.include_router(module.router)
        except Exception:
            continue
    print(failed_routers)
