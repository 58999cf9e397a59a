"""Incremental: each router on its own, and an endpoint that says which loaded."""

import importlib

from fastapi import FastAPI

from api.log import get_logger

logger = get_logger(__name__)

ROUTERS = [("auth", "/auth"), ("users", "/users")]

app = FastAPI(title="Shop (incremental)")


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}


loaded: list[str] = []
failed: dict[str, str] = {}

for name, prefix in ROUTERS:
    try:
        module = importlib.import_module(f"api.routers.{name}")
    except Exception as exc:
        logger.exception("Router %s failed to load", name)
        failed[name] = f"{type(exc).__name__}: {exc}"
        continue
    app.include_router(module.router, prefix=prefix)
    loaded.append(name)


@app.get("/status/routers")
def router_status() -> dict[str, object]:
    return {"loaded": loaded, "failed": failed}
