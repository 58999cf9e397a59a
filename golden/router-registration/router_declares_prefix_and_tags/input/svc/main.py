"""Most routers declare their prefix and tags on APIRouter(...) in their own module."""
from fastapi import FastAPI

from .routes import billing, legacy, misc, orders, users

app = FastAPI()
app.include_router(users.router)
app.include_router(orders.router)
app.include_router(billing.router)
app.include_router(legacy.router, prefix="/api/legacy")
app.include_router(misc.router, tags=["misc"])
