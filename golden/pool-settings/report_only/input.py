from sqlalchemy import create_engine

POOL_SIZE = 50
OVERFLOW = 50

engine = create_engine("postgresql://db/app", pool_size=POOL_SIZE, max_overflow=OVERFLOW)
only_size = create_engine("postgresql://db/app", pool_size=40)
unbounded = create_engine("postgresql://db/app", pool_size=5, max_overflow=-1)
