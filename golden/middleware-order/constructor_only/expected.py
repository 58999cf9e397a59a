from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware

from .limits import RateLimitMiddleware

app = Starlette(
    routes=routes,
    middleware=[
        Middleware(HTTPSRedirectMiddleware),
        Middleware(CORSMiddleware, allow_origins=["*"]),
        Middleware(RateLimitMiddleware),  # shed load
    ],
)
