"""Entry point with optional routers."""
import logging

from fastapi import FastAPI

from .routes import health

app = FastAPI()
app.include_router(health.router)

_failed_routers: list[str] = []

# Well-known endpoints, served without a prefix.
try:
    from .routes import jwks

    app.include_router(jwks.router)
except ImportError:
    logging.getLogger(__name__).exception("Router routes.jwks failed to load")
    _failed_routers.append("routes.jwks")

try:
    from .routes import maps_proxy, places
    app.include_router(maps_proxy.router, prefix="/maps")
    app.include_router(places.router, prefix="/places")
except (ImportError, AttributeError):
    print("maps disabled")
    logging.getLogger(__name__).exception(
        "Router routes.maps_proxy, routes.places failed to load"
    )
    _failed_routers.extend(["routes.maps_proxy", "routes.places"])

if _failed_routers:
    logging.getLogger(__name__).warning(
        "Routers not loaded: %s", ", ".join(_failed_routers)
    )
