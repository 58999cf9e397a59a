"""Pass-through middleware classes for the golden case."""

from starlette.middleware.base import BaseHTTPMiddleware


class RequestTrackingMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        return await call_next(request)


class SecurityHeadersMiddleware(RequestTrackingMiddleware):
    pass


class RateLimitMiddleware(RequestTrackingMiddleware):
    def __init__(self, app, requests_per_minute: int = 100) -> None:
        super().__init__(app)
        self.requests_per_minute = requests_per_minute
