"""A middleware list held in a variable only one app reads is that app's registrations."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

middleware = [
    Middleware(GZipMiddleware, minimum_size=500),
]

app = Starlette(routes=[], middleware=middleware)

shared = [Middleware(GZipMiddleware), Middleware(GZipMiddleware)]
first = Starlette(middleware=shared)
second = Starlette(middleware=shared)
