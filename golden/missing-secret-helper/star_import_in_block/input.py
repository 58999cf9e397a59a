"""A star import inside a module-level block may provide the getter: reported, not changed."""

import os

if os.environ.get("VAULT"):
    from vault import *  # noqa: F403


def key():
    return _get_secret("JWT_SECRET_KEY")  # noqa: F405
