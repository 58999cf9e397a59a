"""Entry point with optional routers."""
from fastapi import FastAPI

from .routes import health

app = FastAPI()
app.include_router(health.router)

# Well-known endpoints, served without a prefix.
try:
    from .routes import jwks

    app.include_router(jwks.router)
except ImportError:
    pass

try:
    from .routes import maps_proxy, places
    app.include_router(maps_proxy.router, prefix="/maps")
    app.include_router(places.router, prefix="/places")
except (ImportError, AttributeError):
    print("maps disabled")
