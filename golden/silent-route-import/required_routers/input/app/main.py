import importlib

from fastapi import FastAPI

from app.core.logging import get_logger

log = get_logger(__name__)
app = FastAPI()

for module_name in ("app.api.routes.auth", "app.api.routes.reports"):
    try:
        app.include_router(importlib.import_module(module_name).router)
    except ImportError:
        log.error("could not load %s", module_name)

try:
    from app.api.routes import users
    app.include_router(users.router, prefix="/users")
except ImportError:
    log.warning("users router unavailable")
