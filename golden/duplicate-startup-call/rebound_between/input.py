from contextlib import asynccontextmanager

from fastapi import FastAPI

from .clients import make_client, register_client


@asynccontextmanager
async def app_lifespan(app: FastAPI):
    client = make_client("primary")
    register_client(client)
    client = make_client("replica")
    register_client(client)
    yield
