"""Routers registered inside an app factory, at several depths and from tables."""

from fastapi import APIRouter, FastAPI

users = APIRouter()
items = APIRouter()
orders = APIRouter()
billing = APIRouter()
health = APIRouter()
reports = APIRouter()
exports = APIRouter()

TABLE = [
    (reports, "/api/v1/reports", ["reports"]),
    (billing, "/api/v1/billing", ["billing"]),
]


def create_app(flag: bool) -> FastAPI:
    app = FastAPI()
    app.include_router(users, prefix="/api/v1/users", tags=["users"])
    if flag:
        app.include_router(items, prefix="/api/v1/items", tags=["items"])
    elif flag is None:
        app.include_router(items, prefix="/api/v2/items", tags=["items"])
        app.include_router(users, prefix="/api/v2/users", tags=["users"])
    else:
        try:
            app.include_router(
                items,
                prefix="/api/v1/items",
                tags=["items"],
            )
        except RuntimeError:
            pass
    for router, prefix, group in TABLE:
        app.include_router(router, prefix=prefix, tags=group)
    for router, prefix, group in [(exports, "/api/v1/exports", ["exports"])]:
        app.include_router(router, prefix=prefix, tags=group)
    with open(__file__):
        app.include_router(orders, prefix="/api/v1/orders", tags=["orders"]); app.include_router(orders, prefix="/api/v1/archive", tags=["archive"])  # noqa: E702
    if flag: app.include_router(health, prefix="/api/v1/health", tags=["health"])  # noqa: E701
    register(lambda: app.include_router(billing, prefix="/api/v1/invoices", tags=["invoices"]))
    while flag:
        app.include_router(users, prefix="/api/v1/admin", tags=["admin"])
        app.include_router(users, prefix="/api/v1/staff", tags=["staff"])
        app.include_router(users, prefix="/api/v1/teams", tags=["teams"])
        break
    register(lambda: app.include_router(billing, prefix="/api/v1/refunds", tags=["refunds"]))
    return app


def register(callback):
    return callback
