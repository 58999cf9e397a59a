"""Response timing."""

from __future__ import annotations

import time

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from app.core.cache import cache_manager


class PerformanceOptimizationMiddleware(BaseHTTPMiddleware):
    """Add X-Process-Time and keep per-path timings for the slow-endpoint report."""

    def __init__(self, app: ASGIApp, slow_request_threshold: float = 1.0) -> None:
        super().__init__(app)
        self.slow_request_threshold = slow_request_threshold

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        response.headers["X-Process-Time"] = f"{elapsed:.4f}"
        if cache_manager.is_ready:
            cache_manager.record_timing(request.url.path, elapsed)
        return response
