"""The getter is defined at module level inside blocks: every call can see it."""

import os

try:
    from vault import _get_secret
except ImportError:
    if os.environ.get("LOCAL"):

        def _get_secret(name):
            return os.environ[name]

    else:
        _get_secret = os.getenv


class Settings:
    def key(self):
        return _get_secret("JWT_SECRET_KEY")


def nested():
    return lambda: _get_secret("OTHER")
