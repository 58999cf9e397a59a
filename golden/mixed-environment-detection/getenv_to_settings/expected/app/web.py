"""Web layer."""

import os

from . import db
from .config import config


def debug() -> bool:
    return config.ENVIRONMENT != "production" and db.echo_sql()


def is_prod() -> bool:
    return os.getenv("PRODUCTION", "false") == "true"
