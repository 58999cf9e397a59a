"""allow_origins through a name or a conditional that can hold the wildcard (reported)."""

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ENVIRONMENT = os.getenv("ENVIRONMENT", "development")
PRODUCTION_ORIGINS = ["https://app.example.com"]
origins = ["*"]

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
app.add_middleware(
    CORSMiddleware,
    allow_origins=PRODUCTION_ORIGINS if ENVIRONMENT == "production" else ["*"],
    allow_credentials=True,
)
app.add_middleware(CORSMiddleware, allow_origins=os.getenv("ORIGINS", "").split(",") or ["*"])


def create_app() -> FastAPI:
    local = ["http://localhost:3000", "*"]
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=local)
    inner.add_middleware(CORSMiddleware, allow_origins=origins + PRODUCTION_ORIGINS)
    return inner
