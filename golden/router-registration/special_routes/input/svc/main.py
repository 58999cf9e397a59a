from fastapi import FastAPI

from .routes import orders, probes, wellknown
from .routes.orders import router as orders_router

app = FastAPI()
app.include_router(probes.router, tags=["ops"])
app.include_router(wellknown.router, tags=["auth"])
app.include_router(orders_router, prefix="/api/orders", tags=["orders"])
app.include_router(orders.router, prefix="/api/v1/orders", tags=["orders"])
app.include_router(orders.router, prefix="/api/v2/orders", tags=["orders"])
app.include_router(orders.router, tags=["orders"])
