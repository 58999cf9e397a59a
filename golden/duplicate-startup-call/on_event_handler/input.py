import asyncio

from fastapi import FastAPI

from .db import database
from .search import search_index

app = FastAPI()


@app.on_event("startup")
async def connect_services() -> None:
    await database.connect()
    search_index.configure(shards=2)
    await asyncio.sleep(0)
    await database.connect()
    search_index.configure(shards=2)  # again, after the database is up
