from fastapi import FastAPI

from app.routers import items, status, users

app = FastAPI()
app.include_router(users.router, prefix="/api/users", tags=["users"])
app.include_router(items.router, prefix="/api/items", tags=["items"])
app.include_router(status.router, prefix="/api/status")
