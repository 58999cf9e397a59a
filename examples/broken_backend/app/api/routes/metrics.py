"""Prometheus scrape endpoint."""

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from app.middleware.monitoring import REQUEST_COUNTS

router = APIRouter()


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> str:
    lines = ["# TYPE http_requests_total counter"]
    for (method, path, status), count in sorted(REQUEST_COUNTS.items()):
        labels = f'method="{method}",path="{path}",status="{status}"'
        lines.append(f"http_requests_total{{{labels}}} {count}")
    return "\n".join(lines) + "\n"
