"""Worker API."""

from fastapi import FastAPI

from .queue import get_queue

app = FastAPI()


@app.on_event("startup")
async def startup() -> None:
    await get_queue().connect()
    app.state.ready = True
