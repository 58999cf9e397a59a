from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.config import settings
from app.middleware import RateLimitMiddleware, RequestIDMiddleware

app = FastAPI()

app.add_middleware(RequestIDMiddleware)
# CORS for the web app
app.add_middleware(CORSMiddleware, allow_origins=settings.ORIGINS)
if settings.RATE_LIMIT_ENABLED:
    # Per-IP limits.
    app.add_middleware(RateLimitMiddleware)
