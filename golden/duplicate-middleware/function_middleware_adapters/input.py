"""BaseHTTPMiddleware wraps a function: each dispatch is its own middleware (ZenML registers five)."""

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware


async def log_requests(request, call_next):
    return await call_next(request)


async def set_secure_headers(request, call_next):
    return await call_next(request)


app = FastAPI(middleware=[Middleware(BaseHTTPMiddleware, dispatch=log_requests)])
app.add_middleware(BaseHTTPMiddleware, dispatch=set_secure_headers)
app.add_middleware(BaseHTTPMiddleware, dispatch=log_requests)  # this one is a duplicate
