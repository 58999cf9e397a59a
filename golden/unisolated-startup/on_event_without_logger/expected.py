"""Worker API."""

import logging

from fastapi import FastAPI

from .queue import get_queue

app = FastAPI()


@app.on_event("startup")
async def startup() -> None:
    try:
        await get_queue().connect()
    except Exception:
        logging.getLogger(__name__).exception(
            "get_queue().connect() failed at startup; continuing without it"
        )
    app.state.ready = True
