"""The worker builds its own engine beside app.core.db's: two pools, a real competitor,
although it reuses the session factory's class."""

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.core.db import SessionLocal

engine = create_engine("postgresql+psycopg://db/app", pool_size=5)
WorkerSession = sessionmaker(bind=engine, class_=SessionLocal.class_)
