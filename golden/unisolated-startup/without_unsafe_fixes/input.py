from contextlib import asynccontextmanager

from fastapi import FastAPI

from .services import scheduler


@asynccontextmanager
async def lifespan(app: FastAPI):
    await scheduler.start()
    yield


app = FastAPI(lifespan=lifespan)
