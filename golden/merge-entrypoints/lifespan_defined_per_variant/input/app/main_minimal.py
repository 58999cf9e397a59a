from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    print("minimal: no database")
    yield


app = FastAPI(title="Svc (minimal)", lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    return {"ok": True}
