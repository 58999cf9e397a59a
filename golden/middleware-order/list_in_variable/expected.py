"""Starlette's documented style: the middleware list in a variable, then the constructor.

The list's first element runs outermost, so CORS inside the rate limiter leaves 429s unreadable
by the browser; the elements are reordered. A list the code extends later, or that two apps
share, is not this app's alone: it is left as written.
"""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from app.limits import RateLimitMiddleware

middleware = [
    Middleware(CORSMiddleware, allow_origins=["https://app.example.com"]),
    Middleware(RateLimitMiddleware),
]

app = Starlette(routes=[], middleware=middleware)

shared = [
    Middleware(RateLimitMiddleware),
    Middleware(CORSMiddleware, allow_origins=["https://app.example.com"]),
]
public = Starlette(middleware=shared)
admin = Starlette(middleware=shared)

extended = [Middleware(RateLimitMiddleware)]
extended.append(Middleware(CORSMiddleware, allow_origins=["https://app.example.com"]))
other = Starlette(middleware=extended)
