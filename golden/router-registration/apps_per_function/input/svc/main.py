"""Apps of the same name built in different functions are different apps; a router passed in
as a parameter declares what this file cannot see."""

from fastapi import FastAPI
from vendor_plugins import extension_router

from svc.routes import admin, items, orders, reports, users


def create_public_app() -> FastAPI:
    app = FastAPI()
    app.include_router(items)
    app.include_router(users)
    app.include_router(orders)
    return app


def create_admin_app() -> FastAPI:
    app = FastAPI(title="admin")  # served on the internal port only
    app.include_router(admin)
    return app


def create_plugin_app(plugin) -> FastAPI:
    app = FastAPI(title="plugin")
    app.include_router(items)
    app.include_router(users)
    app.include_router(plugin.router)
    return app


def create_extension_app() -> FastAPI:
    app = FastAPI()
    app.include_router(items)
    app.include_router(users)
    app.include_router(extension_router)  # defined outside the project: its prefix is unknown
    return app


app = FastAPI()
app.include_router(items)
app.include_router(users)


def register_more() -> None:
    app.include_router(orders)  # the module's app: judged with the two above
    app.include_router(reports)
