"""Names whose value cannot be known here are not guessed at (nothing reported)."""

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

origins = ["*"]
if os.getenv("ENVIRONMENT") == "production":
    origins = ["https://app.example.com"]  # rebound: which one reaches the call depends

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)

allowed = ["*"]


def create_app(allowed: list[str]) -> FastAPI:
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=allowed)  # the parameter, not the global
    hosts = ["*"]
    hosts = [h for h in hosts if h != "*"]
    inner.add_middleware(CORSMiddleware, allow_origins=hosts)
    return inner


def build() -> FastAPI:
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=shared)
    return inner


shared = ["*"]


def reset() -> None:
    global shared
    shared = ["https://app.example.com"]


class Factory:
    origins = ["*"]

    def build(self) -> FastAPI:
        inner = FastAPI()
        inner.add_middleware(CORSMiddleware, allow_origins=self.origins_for_env())
        return inner
