from fastapi import FastAPI

from .routes import health, orders
from .routes.api import api_router

app = FastAPI()
app.include_router(orders.router, prefix="/orders", tags=["orders"])
app.include_router(health.router, prefix="/health", tags=["health"])
app.include_router(api_router)  # groups routers that carry their own prefixes and tags
