"""Pool sizes computed from module constants are judged (reported, never rewritten); values
that cannot be known here are judged on the argument that is known, or not at all."""

import os

from sqlalchemy.ext.asyncio import create_async_engine

DB_POOL_SIZE = 83
WEB_CONCURRENCY = 9
POOL_SIZE = max(DB_POOL_SIZE // WEB_CONCURRENCY, 5)
SMALL = min(POOL_SIZE, 4) * 2
WORKERS = int(os.getenv("WORKERS", "4"))
URL = os.environ["DATABASE_URL"]

computed = create_async_engine(URL, pool_size=POOL_SIZE, max_overflow=64)
product = create_async_engine(URL, pool_size=POOL_SIZE * 3, max_overflow=0)
overflow_alone = create_async_engine(URL, pool_size=100 // WORKERS, max_overflow=64)
size_alone = create_async_engine(URL, pool_size=64, max_overflow=WORKERS)
fits = create_async_engine(URL, pool_size=SMALL, max_overflow=POOL_SIZE)
unknown_small = create_async_engine(URL, pool_size=WORKERS, max_overflow=10)


def make(POOL_SIZE: int = 2):
    return create_async_engine(URL, pool_size=POOL_SIZE, max_overflow=10)


REBOUND = 50
if os.getenv("SMALL_POOLS"):
    REBOUND = 2
rebound = create_async_engine(URL, pool_size=REBOUND, max_overflow=10)
