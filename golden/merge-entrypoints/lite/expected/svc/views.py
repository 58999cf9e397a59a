"""Two small routers."""

from starlette.routing import Route
from fastapi import APIRouter

public = APIRouter()
admin = APIRouter()


@public.get("/ping")
def ping() -> str:
    return "pong"


@admin.get("/stats")
def stats() -> dict[str, int]:
    return {}
