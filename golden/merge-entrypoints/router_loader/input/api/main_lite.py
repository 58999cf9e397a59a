"""Lite: liveness only."""

from fastapi import FastAPI

app = FastAPI(title="Shop (lite)")


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"ping": "pong"}
