"""The getter is called from nested scopes only; a class attribute of that name is not visible there."""

import os


def decorate(value):
    return lambda function: function


class Settings:
    _get_secret = staticmethod(os.getenv)

    @decorate(_get_secret("DECORATOR_KEY"))
    def key(self, fallback=lambda: _get_secret("LAMBDA_KEY")):
        values = [_get_secret(name) for name in ("A", "B")]
        return values, fallback

    class Inner:
        token = _get_secret("INNER_TOKEN", "default")


def nested():
    def deeper():
        if os.environ:
            return _get_secret(name="DEEP_KEY")
        return None

    return deeper
