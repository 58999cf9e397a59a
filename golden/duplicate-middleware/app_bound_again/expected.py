"""The app is built again with a lifespan: the first object is dropped, the second is served.

Each object gets its own CORS registration; neither is a duplicate of the other. Registered twice
on the served app, it still is.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

ORIGINS = ["https://app.example.com"]

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
app.add_middleware(GZipMiddleware)


def build() -> FastAPI:
    api = FastAPI(middleware=[])
    api.add_middleware(GZipMiddleware)
    try:
        api = FastAPI(title="retry")
    except RuntimeError:
        raise
    api.add_middleware(GZipMiddleware)
    return api
