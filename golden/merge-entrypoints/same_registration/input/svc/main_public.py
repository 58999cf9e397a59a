"""Public API: any origin, no credentials, compressed more eagerly."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from svc import views

app = FastAPI(title="svc")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
app.include_router(views.router, prefix="/public")
