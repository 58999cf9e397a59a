"""HTTPS enforcement that understands the Cloud Run / load balancer proxy."""

from __future__ import annotations

import os

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp

from app.core.config import settings


class EnhancedHTTPSRedirectMiddleware(BaseHTTPMiddleware):
    """Redirect plain-HTTP requests to HTTPS, except for load balancer health checks."""

    def __init__(self, app: ASGIApp, exempt_paths: tuple[str, ...] = ("/health",)) -> None:
        super().__init__(app)
        self.exempt_paths = exempt_paths

    def _should_redirect(self, request: Request) -> bool:
        if request.url.path in self.exempt_paths:
            return False
        forwarded_proto = request.headers.get("x-forwarded-proto")
        if forwarded_proto == "http":
            # Only trust the proxy header where we actually run behind the proxy.
            return os.getenv("ENVIRONMENT") == "production" or settings.FORCE_HTTPS
        return settings.FORCE_HTTPS and request.url.scheme == "http"

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self._should_redirect(request):
            return RedirectResponse(str(request.url.replace(scheme="https")), status_code=307)
        return await call_next(request)
