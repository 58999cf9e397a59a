"""An async request handler runs per request: a try that only imports is no router load there."""

import logging

from fastapi import FastAPI

app = FastAPI()


@app.get("/admin/status")
async def admin_status() -> dict:
    try:
        from app.routers import admin  # optional feature: its absence is answered, not hidden
    except ImportError:
        return {"admin": False}
    return {"admin": bool(admin.router.routes)}


async def mount_admin() -> None:
    failed_routers: list[str] = []

    try:
        from app.routers import admin

        app.include_router(admin.router)  # mounting a router: still a router load
    except ImportError:
        logging.getLogger(__name__).exception("Router app.routers.admin failed to load")
        failed_routers.append("app.routers.admin")

    if failed_routers:
        logging.getLogger(__name__).warning(
            "Routers not loaded: %s", ", ".join(failed_routers)
        )
