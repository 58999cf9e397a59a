from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.middleware import RateLimitMiddleware, TenantMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
# Resolves the tenant from the host name.
app.add_middleware(TenantMiddleware)
app.add_middleware(RateLimitMiddleware)
