"""A project router lost silently is still reported, and so is a library's router this app
mounts (include_router)."""

from fastapi import FastAPI

app = FastAPI()

try:
    from app.routers import items

    app.include_router(items.router)
except ImportError:
    pass

try:
    from fastapi_admin_ext.routes import admin_router

    app.include_router(admin_router)
except ImportError:
    pass
