"""A function middleware registered only in some deployments still takes its place in the stack.

check_authorization answers 401 itself; registered after CORS, it runs outside it, so the 401 has
no CORS headers and preflights hit it.
"""

import os

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

AUTH = os.getenv("AUTH") == "1"

app = FastAPI()

if AUTH:

    @app.middleware("http")
    async def check_authorization(request: Request, call_next):
        if "authorization" not in request.headers:
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        return await call_next(request)

app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"])


@app.get("/")
def root():
    return {}
