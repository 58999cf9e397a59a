"""Per-client rate limiting (fixed one-minute window, in memory)."""

from __future__ import annotations

import time
from collections import defaultdict

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from app.core.config import settings


class RateLimitMiddleware(BaseHTTPMiddleware):
    """Reject clients that exceed `requests_per_minute` with 429."""

    def __init__(self, app: ASGIApp, requests_per_minute: int | None = None) -> None:
        super().__init__(app)
        self.requests_per_minute = requests_per_minute or settings.RATE_LIMIT_PER_MINUTE
        self._hits: defaultdict[str, list[float]] = defaultdict(list)

    @staticmethod
    def _client_key(request: Request) -> str:
        forwarded_for = request.headers.get("x-forwarded-for", "")
        if forwarded_for:
            return forwarded_for.split(",")[0].strip()
        return request.client.host if request.client else "unknown"

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = self._client_key(request)
        now = time.monotonic()
        recent = [stamp for stamp in self._hits[key] if now - stamp < 60]
        if len(recent) >= self.requests_per_minute:
            self._hits[key] = recent
            return JSONResponse(
                {"detail": "Rate limit exceeded"}, status_code=429, headers={"Retry-After": "60"}
            )
        recent.append(now)
        self._hits[key] = recent
        return await call_next(request)
