"""``app = configure(app)`` returns the app it was given: the stack goes on after it.

CORS was added before the rate limiter, so a 429 carries no CORS headers. The rebinding line
sits between the registrations and pins them: reported, not changed.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi.middleware import SlowAPIMiddleware

from app.observability import instrument

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
app = instrument(app=app)
app.add_middleware(SlowAPIMiddleware)
