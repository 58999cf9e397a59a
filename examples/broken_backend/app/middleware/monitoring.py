"""Prometheus request counting and security event detection."""

from __future__ import annotations

from collections import Counter

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from app.services.security_monitoring import security_monitor

# (method, path, status) -> count; scraped by GET /metrics.
REQUEST_COUNTS: Counter[tuple[str, str, int]] = Counter()

SUSPICIOUS_PATTERNS = ("../", "<script", "union select", "/etc/passwd")


class PrometheusMiddlewareV2(BaseHTTPMiddleware):
    """Count requests by method, path and status code."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        REQUEST_COUNTS[(request.method, request.url.path, response.status_code)] += 1
        return response


class SecurityMonitoringMiddleware(BaseHTTPMiddleware):
    """Report requests that look like probing to the security monitoring service."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        target = f"{request.url.path}?{request.url.query}".lower()
        if any(pattern in target for pattern in SUSPICIOUS_PATTERNS):
            client = request.client.host if request.client else "unknown"
            security_monitor.record_event(
                "suspicious_request", client=client, path=request.url.path
            )
        return await call_next(request)
