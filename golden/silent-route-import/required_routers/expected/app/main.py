import importlib

from fastapi import FastAPI

from app.core.logging import get_logger

log = get_logger(__name__)
app = FastAPI()

_failed_routers: list[str] = []

for module_name in ("app.api.routes.auth", "app.api.routes.reports"):
    try:
        app.include_router(importlib.import_module(module_name).router)
    except ImportError:
        log.exception("could not load %s", module_name)
        if module_name in {"app.api.routes.auth", "app.api.routes.users", "auth"}:
            raise
        _failed_routers.append(module_name)

if _failed_routers:
    log.warning("Routers not loaded: %s", ", ".join(_failed_routers))

try:
    from app.api.routes import users
    app.include_router(users.router, prefix="/users")
except ImportError:
    log.exception("users router unavailable")
    raise
