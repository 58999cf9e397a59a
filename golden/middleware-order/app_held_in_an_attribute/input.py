"""An app held in an attribute (``self.app = FastAPI()``, or ``self.app`` in a method) is read like a local one.

CORS added before the rate limiter runs inside it: a 429 carries no CORS headers.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.middleware import SlowAPIMiddleware


class Server:
    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])
        self.app.add_middleware(SlowAPIMiddleware)


class Api:
    """The app is handed in; another method registers on it (r2r's ``_apply_middleware``)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def apply_middleware(self) -> None:
        self.app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])
        self.app.add_middleware(SlowAPIMiddleware)
