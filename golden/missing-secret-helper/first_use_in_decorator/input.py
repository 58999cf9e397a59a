"""The getter is first used in a decorator, above its function's first line: the helper goes
after the imports that precede that use, not after the late import below it."""

import os

HOOKS: list[object] = []


def register(key: str):
    def wrap(function):
        HOOKS.append((key, function))
        return function

    return wrap


@register(
    _get_secret("HOOK_KEY")
)
def hook() -> str:
    return os.environ.get("HOOK", "")


import json  # noqa: E402  (a late import, after the first use)

CONFIG = json.dumps({"token": _get_secret("TOKEN")})
