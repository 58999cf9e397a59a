from pkg.settings import settings


def verbose() -> bool:
    return settings.env == "local"
