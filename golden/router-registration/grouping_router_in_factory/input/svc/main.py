from fastapi import APIRouter, FastAPI

from .routes import health, orders, users


def create_v1_router() -> APIRouter:
    """Arize Phoenix's shape: a router that groups others, built in the same function."""
    router = APIRouter(prefix="/v1")
    restricted = APIRouter()
    restricted.include_router(users.router, prefix="/users", tags=["users"])
    restricted.include_router(orders.router, prefix="/orders", tags=["orders"])
    router.include_router(restricted)
    router.include_router(health.router, prefix="/health", tags=["health"])
    router.include_router(orders.router, prefix="/legacy-orders", tags=["orders"])
    return router


app = FastAPI()
app.include_router(create_v1_router())
