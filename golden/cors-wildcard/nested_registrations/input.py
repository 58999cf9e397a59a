"""CORS registrations at every depth and inside other expressions (reported, never changed)."""

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

app = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=["*"])])
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])


def register(callback):
    return callback


def create_app(debug: bool, args: tuple, options: dict):
    inner = FastAPI()
    if debug:
        inner.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    elif options:
        inner.add_middleware(CORSMiddleware, allow_origin_regex=".*")
    else:
        try:
            pass
        except Exception:
            inner.add_middleware(CORSMiddleware, allow_origins="*")
    with open(__file__):
        for _ in range(1):
            inner.add_middleware(
                CORSMiddleware,
                allow_origins=["*"],
            )
    if debug: inner.add_middleware(CORSMiddleware, allow_origins=("*",))  # noqa: E701
    count = 1; inner.add_middleware(CORSMiddleware, allow_origins=["*"])  # noqa: E702
    inner.add_middleware(CORSMiddleware, allow_origins=["*"]) if debug else None
    register(lambda: inner.add_middleware(CORSMiddleware, allow_origins={"*"}))
    inner.add_middleware(GZipMiddleware, extra=Middleware(CORSMiddleware, allow_origins=["*"]))
    inner.add_middleware(*args)
    inner.add_middleware(**options)
    return inner, count


@register(Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True))
def decorated():
    pass


class Stack:
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"])]

    def build(self, flag):
        match flag:
            case True:
                return Middleware(CORSMiddleware, allow_origins=["*"])
            case _:
                return None
