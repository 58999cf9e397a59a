import importlib
import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)

ROUTERS = ["auth", "users", "billing"]

app = FastAPI()

_failed_routers: list[str] = []

for name in ROUTERS:
    try:
        module = importlib.import_module(f"service.routers.{name}")
        app.include_router(module.router, prefix=f"/{name}")
    except Exception as exc:
        logger.exception("Failed to load %s: %s", name, exc)
        _failed_routers.append(f"service.routers.{name}")
        continue

if _failed_routers:
    logger.warning("Routers not loaded: %s", ", ".join(_failed_routers))
