import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware

ORIGINS = os.environ.get("CORS_ORIGINS", "").split(",")

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com", "https://admin.example.com"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\.example\.com")
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["*"])
