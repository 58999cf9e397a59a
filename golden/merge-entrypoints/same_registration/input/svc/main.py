"""Private API: credentialed CORS for our own front end."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from svc import views
from svc.config import ALLOWED_ORIGINS

app = FastAPI(title="svc")
app.add_middleware(CORSMiddleware, allow_origins=ALLOWED_ORIGINS, allow_credentials=True)
app.add_middleware(GZipMiddleware, minimum_size=1000)
app.include_router(views.router, prefix="/api")
