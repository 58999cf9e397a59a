from collections.abc import Callable


def build_dsn(_get_secret: Callable[[str], str]) -> str:
    user = _get_secret("DB_USER")
    password = _get_secret("DB_PASSWORD")
    return f"postgresql://{user}:{password}@db/app"


def other() -> str:
    _get_secret = lambda name: name.lower()  # noqa: E731
    return _get_secret("X")
