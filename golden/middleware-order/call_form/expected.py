"""``app.middleware("http")(function)`` registers like the decorator does.

The error handler was registered last, so it runs outermost: its 500s skip CORS and the security
headers. It moves first, so it runs inside them.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        return response


async def error_handler_middleware(request, call_next):
    try:
        return await call_next(request)
    except Exception:
        return JSONResponse({"detail": "internal"}, status_code=500)


app = FastAPI()
app.middleware("http")(error_handler_middleware)
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
app.add_middleware(SecurityHeadersMiddleware)
