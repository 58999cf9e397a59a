"""An app that serves no OpenAPI document has no docs groups: tags are not asked for."""

from fastapi import FastAPI

from svc.routes import billing, items, orders, users


def create_app() -> FastAPI:
    app = FastAPI(title="internal", openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(users)
    app.include_router(items)
    app.include_router(orders, prefix="/api/orders")
    app.include_router(billing)  # no prefix: still reported
    return app


def create_public_app() -> FastAPI:
    app = FastAPI(title="public")
    app.include_router(users)
    app.include_router(items)
    app.include_router(orders, prefix="/api/orders")
    return app
