"""Scheduler that looks for new story opportunities in the knowledge graph."""

from __future__ import annotations

from app.core.logger import get_logger

logger = get_logger(__name__)


class StoryOpportunityScheduler:
    """Runs the opportunity scan on a fixed schedule."""

    def __init__(self, cron: str = "*/15 * * * *") -> None:
        self.cron = cron
        self.running = False

    async def start(self) -> None:
        self.running = True
        logger.info("Story opportunity scheduler started (%s)", self.cron)

    async def stop(self) -> None:
        self.running = False
        logger.info("Story opportunity scheduler stopped")


story_scheduler = StoryOpportunityScheduler()
