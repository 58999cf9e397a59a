import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

engine = sa.create_engine("postgresql://db/app", pool_size=50, max_overflow=100, pool_pre_ping=True)

async_engine = create_async_engine(
    "postgresql+asyncpg://db/app",
    max_overflow=30,
    pool_size=20,
)

no_overflow = sa.create_engine("postgresql://db/app", pool_size=40, max_overflow=0)
