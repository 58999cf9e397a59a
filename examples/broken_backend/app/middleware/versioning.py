"""API version negotiation."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp


class APIVersioningMiddleware(BaseHTTPMiddleware):
    """Resolve the requested API version and report it in X-API-Version."""

    def __init__(self, app: ASGIApp, default_version: str = "v1") -> None:
        super().__init__(app)
        self.default_version = default_version

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        version = request.headers.get("x-api-version", self.default_version)
        request.state.api_version = version
        response = await call_next(request)
        response.headers["X-API-Version"] = version
        return response
