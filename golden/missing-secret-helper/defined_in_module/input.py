import os


def _get_secret(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


TOKEN = _get_secret("TOKEN")
