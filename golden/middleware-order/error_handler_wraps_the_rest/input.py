"""An error handler turns any exception raised inside it into a JSON 500: it must wrap the rate
limiter and the auth middleware, and run inside CORS so that its 500 stays readable."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.middleware import SlowAPIMiddleware
from starlette.middleware import Middleware

from app.middleware import AuthMiddleware, ErrorHandlingMiddleware

app = FastAPI(
    middleware=[
        Middleware(CORSMiddleware, allow_origins=["https://example.com"]),
        Middleware(ErrorHandlingMiddleware),
        Middleware(SlowAPIMiddleware),
        Middleware(AuthMiddleware),
    ]
)
