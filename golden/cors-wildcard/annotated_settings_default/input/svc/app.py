from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from svc.config import settings

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ALLOW_ORIGINS, allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origins=settings.ADMIN_ORIGINS, allow_credentials=True)
