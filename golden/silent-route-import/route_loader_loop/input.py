import importlib
import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)

ROUTERS = ["auth", "users", "billing"]

app = FastAPI()

for name in ROUTERS:
    try:
        module = importlib.import_module(f"service.routers.{name}")
        app.include_router(module.router, prefix=f"/{name}")
    except Exception as exc:
        logger.warning("Failed to load %s: %s", name, exc)
        continue
