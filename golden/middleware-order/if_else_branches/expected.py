"""CORS is configured in an if/else (one branch runs, at that place in the stack).

Security headers were added first, so they run innermost and CORS preflights (answered by CORS
itself) carry none. The if/else moves as one unit, each branch intact.
"""

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.middleware import SecurityHeadersMiddleware

ORIGINS = os.environ.get("ORIGINS", "https://a.example").split(",")


def init_security(app: FastAPI) -> None:
    if os.environ.get("CORS_CREDENTIALS") == "1":
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
    elif os.environ.get("CORS_OPEN") == "1":
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, max_age=600)
    else:
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
    app.add_middleware(SecurityHeadersMiddleware)

