"""Calls a helper with __name__ that does not touch sys.modules: still an ordinary package."""
from app.logs import setup_logging

logger = setup_logging(__name__)
