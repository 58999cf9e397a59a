import os

from .settings import settings


def banner() -> str:
    # Other variables are not environment detection.
    return f"{settings.environment} {os.getenv('HOSTNAME', '')}"
