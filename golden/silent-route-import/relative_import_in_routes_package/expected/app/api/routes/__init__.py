"""Routers of the API: the text spells "rout" only here; the relative import gets it from the package."""

import logging

_failed_routers: list[str] = []

try:
    from . import users
except ImportError:
    users = None
    logging.getLogger(__name__).exception("Router app.api.routes.users failed to load")
    _failed_routers.append("app.api.routes.users")

if _failed_routers:
    logging.getLogger(__name__).warning(
        "Routers not loaded: %s", ", ".join(_failed_routers)
    )
