import logging

from starlette.applications import Starlette

from .search import search_client

logger = logging.getLogger("api")


def init_search() -> None:
    search_client.initialize(timeout=5)


app = Starlette(on_startup=[init_search])
