import os

os.environ.setdefault("DATABASE_URL", "sqlite:///./main.db")

from fastapi import FastAPI  # noqa: E402

from app import database  # noqa: E402

app = FastAPI(title="Orders")


@app.get("/db")
def db() -> dict:
    return {"url": database.DATABASE_URL}
