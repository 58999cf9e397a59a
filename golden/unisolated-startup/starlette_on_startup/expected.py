import logging

from starlette.applications import Starlette

from .search import search_client

logger = logging.getLogger("api")


def init_search() -> None:
    try:
        search_client.initialize(timeout=5)
    except Exception:
        logger.exception(
            "search_client.initialize() failed at startup; continuing without it"
        )


app = Starlette(on_startup=[init_search])
