"""Two app objects bound to one name: each stack is judged on its own.

The first app is dropped (rebuilt with a lifespan); its order says nothing about the served one,
whose rate limiter runs outside CORS and is moved inside it.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.middleware import SlowAPIMiddleware

app = FastAPI()
app.add_middleware(SlowAPIMiddleware)


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(SlowAPIMiddleware)
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
