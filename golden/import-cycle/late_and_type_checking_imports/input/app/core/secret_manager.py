from app.core import config


def client():
    from app.core.config import settings

    return settings
