"""Sentry reports the exceptions that reach it and re-raises them; the error handler (added last,
so it runs first) turns them into responses. Sentry must stay inside it, or it never sees them."""

from fastapi import FastAPI
from sentry_asgi import SentryMiddleware

from app.middleware import ExceptionMiddleware, MetricsMiddleware

api = FastAPI()

# we add a middleware class for logging exceptions to Sentry
api.add_middleware(SentryMiddleware)

# we add a middleware class for capturing metrics
api.add_middleware(MetricsMiddleware)

api.add_middleware(ExceptionMiddleware)
