"""The Celery worker's health sidecar: a second service that only shares the folder."""

from fastapi import FastAPI

app = FastAPI(title="Billing worker health", docs_url=None)


@app.get("/live")
def live() -> dict:
    return {"worker": "alive"}
