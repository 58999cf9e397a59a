"""The only entry point: nothing to merge."""

from fastapi import FastAPI

app = FastAPI(title="single")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
