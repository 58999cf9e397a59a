from fastapi import FastAPI
from helpers import make_router


class Server:
    def __init__(self):
        self.app = FastAPI()
        self.app.include_router(make_router())
