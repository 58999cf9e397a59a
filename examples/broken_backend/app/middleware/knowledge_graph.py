"""Feeds request activity into the knowledge graph's popularity scores."""

from __future__ import annotations

from collections import Counter

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

ENTITY_PREFIX = "/api/v1/knowledge-graph/entities/"

# Popularity per entity id, flushed to the graph store by a nightly job.
entity_hits: Counter[str] = Counter()


class KnowledgeGraphMiddleware(BaseHTTPMiddleware):
    """Count successful reads of knowledge graph entities."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        path = request.url.path
        if path.startswith(ENTITY_PREFIX) and response.status_code == 200:
            entity_hits[path.removeprefix(ENTITY_PREFIX)] += 1
        return response
