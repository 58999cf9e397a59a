from app.clients import cache


def get_cache():
    return cache
