"""The failure list's name appears only in text (a comment, a string): it is free, the fix runs."""
import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
NOTE = "see _failed_routers in the logs"

# _failed_routers is declared by archfix below.
try:
    from .routes import admin

    app.include_router(admin.router)
except ImportError:
    pass
