"""One source: the settings object, read directly or through its own derived property; values
that are only shown (a JSON body, a log line, a print) decide nothing."""

import logging
import os

from fastapi import FastAPI

from app.config import settings

logger = logging.getLogger(__name__)

app = FastAPI(docs_url=None if settings.is_production else "/docs", debug=settings.is_dev())
logger.info("starting (ENVIRONMENT=%s)", os.getenv("ENVIRONMENT"))
print(f"environment: {os.environ.get('ENVIRONMENT')}")


@app.get("/health")
async def health():
    return {"status": "ok", "environment": settings.environment}


if settings.environment == "production":
    logger.setLevel(logging.WARNING)
