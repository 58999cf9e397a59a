"""SQLite is a file: no server has a connection limit for these pools to exhaust.

The Postgres engine at the end shares a server with every other process, and is scaled.
"""

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from app.settings import get_url

DATABASE_URL = "sqlite:///./app.db"
DATA_DIR = "/var/lib/app"

local = create_engine(DATABASE_URL, pool_size=20, max_overflow=40)
aio = create_async_engine("sqlite+aiosqlite:///./app.db", pool_size=20, max_overflow=40)
by_path = create_engine(f"sqlite:///{DATA_DIR}/app.db", pool_size=20, max_overflow=40)
threaded = create_engine(
    get_url(), connect_args={"check_same_thread": False}, pool_size=10, max_overflow=20
)
threaded_dict = create_engine(
    url=get_url(), connect_args=dict(check_same_thread=False), pool_size=10, max_overflow=20
)
server = create_engine("postgresql+psycopg://db/app", pool_size=7, max_overflow=13)
