from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

app = FastAPI(middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=["example.com"])])
app.add_middleware(GZipMiddleware)
app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"])

other = FastAPI()
other.add_middleware(GZipMiddleware)
