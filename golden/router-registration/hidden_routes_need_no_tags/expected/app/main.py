from fastapi import FastAPI

from app.routes import admin, home, internal, items, orders, users

app = FastAPI()
app.include_router(items.router, prefix="/api/items", tags=["items"])
app.include_router(users.router, prefix="/api/users", tags=["users"])
app.include_router(orders.router, prefix="/api/orders", tags=["orders"])
app.include_router(internal.router, prefix="/api/internal", include_in_schema=False)
app.include_router(admin.router, prefix="/api/admin")
app.include_router(home.router, prefix="/api/home")
