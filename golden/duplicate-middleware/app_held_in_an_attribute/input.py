"""An app held in an attribute (``self.app = FastAPI()``, or ``self.app`` in a method) is read like a local one.

Built again on the same attribute, it is another app: its registrations are not duplicates of
the first one's.
"""

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from slowapi.middleware import SlowAPIMiddleware


class Server:
    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.add_middleware(SlowAPIMiddleware)
        self.app.add_middleware(SlowAPIMiddleware)

    def rebuild(self) -> None:
        self.app = FastAPI()
        self.app.add_middleware(GZipMiddleware)
        self.app = FastAPI(title="again")
        self.app.add_middleware(GZipMiddleware)


class Api:
    """The app is handed in; another method registers on it (r2r's ``_apply_middleware``)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def apply_middleware(self) -> None:
        self.app.add_middleware(GZipMiddleware)
        self.app.add_middleware(GZipMiddleware)
