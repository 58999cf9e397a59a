"""The one engine (the layout of FastAPI's full-stack template)."""

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql+psycopg://db/app")
SessionLocal = sessionmaker(bind=engine)
