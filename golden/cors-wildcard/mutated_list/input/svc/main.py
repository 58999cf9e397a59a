"""A list changed in place (elements taken out) is not known to hold the wildcard when the app is
built: nothing reported. Only adding to it keeps the wildcard (reported)."""

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .origins import DEV_ORIGINS, ORIGINS

origins = ["*"]
if os.getenv("ENVIRONMENT") == "production":
    origins.clear()
    origins.extend(os.environ["CORS_ORIGINS"].split(","))

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=origins)
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)  # restrict() may empty it first
app.add_middleware(CORSMiddleware, allow_origins=DEV_ORIGINS)

if os.getenv("ENVIRONMENT") == "production":
    DEV_ORIGINS.remove("*")


def sliced() -> FastAPI:
    hosts = ["*"]
    hosts[:] = os.environ["HOSTS"].split(",")
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=hosts)
    return inner


def replaced() -> FastAPI:
    hosts = ["*"]
    if os.getenv("HOST"):
        hosts[0] = os.environ["HOST"]
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=hosts)
    return inner


def deleted() -> FastAPI:
    hosts = ["*", "https://app.example.com"]
    del hosts[0]
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=hosts)
    return inner


def added() -> FastAPI:
    hosts = ["*"]
    hosts.append("https://app.example.com")
    hosts.extend(os.environ.get("EXTRA_HOSTS", "").split(","))
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=hosts)  # still every origin
    return inner
