from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.services import database, scheduler


@asynccontextmanager
async def lifespan(app: FastAPI):
    await database.connect()
    await scheduler.start()
    yield


app = FastAPI(title="Svc", lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    return {"ok": True}
