"""Security event collection (alerts are forwarded to the SIEM by a sidecar)."""

from __future__ import annotations

from collections import deque
from typing import Any

from app.core.logger import get_logger

logger = get_logger(__name__)


class SecurityMonitoringService:
    """Keeps recent security events in memory and logs them."""

    def __init__(self, max_events: int = 1000) -> None:
        self.events: deque[dict[str, Any]] = deque(maxlen=max_events)
        self.running = False

    async def start(self) -> None:
        self.running = True
        logger.info("Security monitoring started")

    async def stop(self) -> None:
        self.running = False
        logger.info("Security monitoring stopped")

    def record_event(self, kind: str, **details: Any) -> None:
        self.events.append({"kind": kind, **details})
        logger.warning("Security event %s: %s", kind, details)


security_monitor = SecurityMonitoringService()
