from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.sessions import SessionMiddleware

from app.security import CSRFMiddleware, RateLimitMiddleware

app = FastAPI(
    title="shop",
    middleware=[
        Middleware(SessionMiddleware, secret_key="x"),
        Middleware(CSRFMiddleware),
    ],
)
app.add_middleware(RateLimitMiddleware, per_minute=60)
app.add_middleware(CORSMiddleware, allow_origins=["*"])
