"""Optional helpers loaded in try blocks: their names hold the letters "rout", not routers."""

try:
    from app.core.coroutine_checker import is_coroutine
except ImportError:
    is_coroutine = None

try:
    from app.core.logs import verbose_router_logger
except ImportError:
    verbose_router_logger = None

try:
    from app.core.paths import is_mapped_route
    from app.core.route_checks import RouteChecks
except Exception:
    pass
