"""Request IDs and W3C trace context propagation."""

from __future__ import annotations

import re
import secrets
import uuid

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class RequestTrackingMiddleware(BaseHTTPMiddleware):
    """Give every request an ID (reusing the caller's) and echo it in X-Request-ID."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        return response


class TraceContextMiddleware(BaseHTTPMiddleware):
    """Continue the caller's trace (traceparent header) or start a new one."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        match = _TRACEPARENT.match(request.headers.get("traceparent", ""))
        trace_id = match.group(1) if match else secrets.token_hex(16)
        flags = match.group(3) if match else "01"
        span_id = secrets.token_hex(8)
        request.state.trace_id = trace_id
        response = await call_next(request)
        response.headers["traceparent"] = f"00-{trace_id}-{span_id}-{flags}"
        return response
