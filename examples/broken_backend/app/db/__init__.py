"""Simple SQLAlchemy setup (declarative base, engine, session factory)."""
