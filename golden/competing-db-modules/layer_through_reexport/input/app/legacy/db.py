from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://db/legacy")
SessionLocal = sessionmaker(bind=engine)
