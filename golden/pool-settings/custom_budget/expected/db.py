from sqlalchemy import create_engine

big = create_engine("postgresql://db/app", pool_size=20, max_overflow=20)
fits = create_engine("postgresql://db/app", pool_size=20, max_overflow=20)
