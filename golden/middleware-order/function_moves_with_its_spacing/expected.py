from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.base import BaseHTTPMiddleware


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        return response


app = FastAPI()


@app.middleware("http")
async def error_handler_middleware(request, call_next):
    return await call_next(request)


app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
app.add_middleware(SecurityHeadersMiddleware)
