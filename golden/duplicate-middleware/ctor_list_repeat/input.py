import fastapi
from starlette.middleware import Middleware

from .middleware import AuditMiddleware, TimingMiddleware

middleware = None
api = fastapi.FastAPI(
    middleware=[
        Middleware(TimingMiddleware),
        Middleware(AuditMiddleware, sink="stdout"),
        Middleware(TimingMiddleware),
    ]
)
