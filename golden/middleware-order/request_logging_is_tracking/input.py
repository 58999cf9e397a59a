"""Request logging (and its request ids) is tracking: it runs outside CORS, so preflights are
logged too. Nothing to change."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.middleware import AccessLogMiddleware, RequestLoggingMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
app.add_middleware(RequestLoggingMiddleware)
app.add_middleware(AccessLogMiddleware)
