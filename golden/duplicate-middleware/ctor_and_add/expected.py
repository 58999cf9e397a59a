from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

app = Starlette(
    middleware=[
        Middleware(GZipMiddleware, minimum_size=1000),
    ],
)
