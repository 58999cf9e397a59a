from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from svc.core import DEV_ORIGINS
from svc.core.constants import STRICT_ORIGINS

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=DEV_ORIGINS, allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origins=STRICT_ORIGINS, allow_credentials=True)
