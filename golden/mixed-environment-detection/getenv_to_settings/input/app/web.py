"""Web layer."""

import os

from . import db


def debug() -> bool:
    return os.environ["ENVIRONMENT"] != "production" and db.echo_sql()


def is_prod() -> bool:
    return os.getenv("PRODUCTION", "false") == "true"
