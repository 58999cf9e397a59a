from fastapi import FastAPI

from .routes import assets, legacy, orders, users

app = FastAPI()
app.include_router(users.router, prefix="/users", tags=["users"])
app.include_router(orders.router, prefix="/orders", tags=["orders"])
app.include_router(assets.router, tags=["assets"])  # its routes spell /assets themselves
app.include_router(legacy.router, tags=["legacy"])  # relative routes: they land at the root
