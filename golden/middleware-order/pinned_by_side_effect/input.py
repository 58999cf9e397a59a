import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.limits import RateLimitMiddleware

logger = logging.getLogger(__name__)
app = FastAPI()

app.add_middleware(CORSMiddleware, allow_origins=["*"])
logger.info("CORS enabled; stack so far: %s", app.user_middleware)
app.add_middleware(RateLimitMiddleware)
