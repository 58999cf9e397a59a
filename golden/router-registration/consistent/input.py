from fastapi import APIRouter, FastAPI

from svc.routes import items, users

# Routers that carry their own prefix and tags follow the convention too.
status = APIRouter(prefix="/api/status", tags=["status"])

app = FastAPI()
app.include_router(users.router, prefix="/api/users", tags=["users"])
app.include_router(items.router, prefix="/api/items", tags=["items"])
app.include_router(status)


def mount(target: FastAPI, routers: list) -> None:
    # Computed prefixes and tags: nothing to judge.
    for router, prefix, tags in routers:
        target.include_router(router, prefix=prefix, tags=tags)
