"""Web entry point."""

from fastapi import FastAPI

from web.routes import router

app = FastAPI(title="Web", docs_url=None, openapi_url="/openapi.json")
app.include_router(router)
