import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

engine = sa.create_engine("postgresql://db/app", pool_size=7, max_overflow=13, pool_pre_ping=True)

async_engine = create_async_engine(
    "postgresql+asyncpg://db/app",
    max_overflow=12,
    pool_size=8,
)

no_overflow = sa.create_engine("postgresql://db/app", pool_size=20, max_overflow=0)
