"""Logging setup shared by the whole application."""

from __future__ import annotations

import logging

from app.core.config import settings

_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
_configured = False


def get_logger(name: str) -> logging.Logger:
    """Return a logger configured with the level from settings."""
    global _configured
    if not _configured:
        logging.basicConfig(level=settings.LOG_LEVEL.upper(), format=_FORMAT)
        _configured = True
    return logging.getLogger(name)
