"""A per-user quota keyed on request.user must run inside authentication, which sets it.

The policy prefers rate limiting outside auth (shed load early), but only as a preference: the
move is reported as an unsafe fix, never made by default. CORS outside both is a requirement.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.authentication import AuthenticationMiddleware

from app.auth import TokenBackend
from app.quota import UserRateLimitMiddleware

app = FastAPI()
app.add_middleware(UserRateLimitMiddleware, per_minute=60)
app.add_middleware(AuthenticationMiddleware, backend=TokenBackend())
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
