from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool, StaticPool

from app.config import settings

small = create_engine("postgresql://db/app", pool_size=10, max_overflow=10)
default_overflow = create_engine("postgresql://db/app", pool_size=5)
serverless = create_engine("postgresql://db/app", poolclass=NullPool)
static = create_engine("sqlite://", poolclass=StaticPool, pool_size=100)
from_settings = create_engine(settings.DATABASE_URL, pool_size=settings.POOL_SIZE, max_overflow=0)
plain = create_engine("sqlite:///./app.db")


def create_pool(size: int, overflow: int):
    # Not an engine factory: its pool_size means something else.
    return {"pool_size": size, "max_overflow": overflow}


create_pool(pool_size=500, max_overflow=500)
