"""Monitoring middleware (only the full profile uses it)."""

from app.middleware.stack import RequestTrackingMiddleware


class PrometheusMiddleware(RequestTrackingMiddleware):
    pass


class KnowledgeGraphMiddleware(RequestTrackingMiddleware):
    pass
