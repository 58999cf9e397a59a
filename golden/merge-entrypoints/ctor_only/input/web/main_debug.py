"""Web entry point with docs and debug on."""

from fastapi import FastAPI

from web.routes import router

app = FastAPI(title="Web (debug)", docs_url="/docs", debug=True)
app.include_router(router)
