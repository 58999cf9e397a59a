from fastapi import FastAPI, Request
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware

from app import settings
from app.middleware import CSRFMiddleware, MyAppMiddleware, RateLimiter, RequestIDMiddleware

app = FastAPI(middleware=[Middleware(MyAppMiddleware), Middleware(GZipMiddleware)])

# Registered innermost first: the last one added sees the request first.
app.add_middleware(CSRFMiddleware)
if settings.LIMITS:
    app.add_middleware(RateLimiter)
app.add_middleware(CORSMiddleware, allow_origins=["*"])


@app.middleware("http")
async def security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


app.add_middleware(RequestIDMiddleware)
app.add_middleware(HTTPSRedirectMiddleware)
