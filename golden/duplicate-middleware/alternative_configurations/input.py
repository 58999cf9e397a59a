import os

from fastapi import FastAPI

from .mw import RateLimitMiddleware

app = FastAPI()
if os.environ.get("PROFILE") == "full":
    app.add_middleware(RateLimitMiddleware)
if os.environ.get("PROFILE") == "batch":
    app.add_middleware(RateLimitMiddleware, requests_per_minute=300)
