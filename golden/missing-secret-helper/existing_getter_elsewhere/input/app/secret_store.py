import os

from app import config


def get_secret(name: str) -> str | None:
    return os.getenv(name) or config.settings.fallback(name)
