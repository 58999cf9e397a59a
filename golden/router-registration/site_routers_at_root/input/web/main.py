from fastapi import FastAPI

from web.routes import items, orders, pages, reports, spa, users

app = FastAPI()
app.include_router(items.router, prefix="/api/items", tags=["items"])
app.include_router(users.router, prefix="/api/users", tags=["users"])
app.include_router(orders.router, prefix="/api/orders", tags=["orders"])
app.include_router(reports.router, tags=["reports"])
app.include_router(pages.router, tags=["pages"])
app.include_router(spa.router, tags=["spa"])
