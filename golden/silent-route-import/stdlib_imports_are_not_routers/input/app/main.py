import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()

try:
    import asyncio
    import json

    from app.routers.items import router as items_router

    app.include_router(items_router)
    asyncio.get_event_loop_policy()
    json.dumps({})
except ImportError:
    pass
