import logging

logger = logging.getLogger(__name__)


def profile_stage(name: str) -> None:
    logger.info("stage %s", name)
