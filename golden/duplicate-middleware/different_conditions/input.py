import os

from fastapi import FastAPI

from .mw import SessionMiddleware

app = FastAPI()
if os.environ.get("A"):
    app.add_middleware(SessionMiddleware)
if os.environ.get("B"):
    app.add_middleware(SessionMiddleware)
