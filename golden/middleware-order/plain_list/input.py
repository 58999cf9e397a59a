from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.httpsredirect import HTTPSRedirectMiddleware

from .middleware import CSRFMiddleware, RateLimitMiddleware, SecurityHeadersMiddleware

app = FastAPI()

# ---- middleware (last added runs first) ----
# Plain HTTP is redirected before anything else.
app.add_middleware(HTTPSRedirectMiddleware)
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])  # browser clients
# Reject floods early.
app.add_middleware(RateLimitMiddleware)
app.add_middleware(SecurityHeadersMiddleware)
app.add_middleware(CSRFMiddleware)

app.include_router(router)
