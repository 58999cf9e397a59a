"""Full service: every feature router."""

import importlib

from fastapi import FastAPI

from api.log import get_logger

logger = get_logger(__name__)

FEATURE_ROUTERS = [
    ("api.routers.auth", "/auth", ["auth"]),
    ("api.routers.users", "/users", ["users"]),
    ("api.routers.orders", "/orders", None),
]

app = FastAPI(title="Shop")


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}


for module_path, prefix, tags in FEATURE_ROUTERS:
    try:
        module = importlib.import_module(module_path)
        app.include_router(module.router, prefix=prefix, tags=tags)
    except Exception as exc:
        logger.warning("Failed to load %s: %s", module_path, exc)
