"""CORS is registered in an if block that also logs: it still takes its place in the stack.

Registered before the rate limiter, it runs inside it (a 429 carries no CORS headers). The block
does other work, so it is not moved: the order is reported, not changed.
"""

import logging
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.middleware import SlowAPIMiddleware

logger = logging.getLogger(__name__)

app = FastAPI()

if not os.environ.get("DISABLE_CORS"):
    origins = os.environ.get("ORIGINS", "https://app.example.com").split(",")
    app.add_middleware(CORSMiddleware, allow_origins=origins)
    logger.info("CORS enabled for %s", origins)
else:
    logger.info("CORS disabled")

app.add_middleware(SlowAPIMiddleware)
