import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()

_failed_routers: list[str] = []

try:
    import asyncio
    import json

    from app.routers.items import router as items_router

    app.include_router(items_router)
    asyncio.get_event_loop_policy()
    json.dumps({})
except ImportError:
    logger.exception("Router app.routers.items failed to load")
    _failed_routers.append("app.routers.items")

if _failed_routers:
    logger.warning("Routers not loaded: %s", ", ".join(_failed_routers))
