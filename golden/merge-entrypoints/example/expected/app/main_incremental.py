"""Incremental entry point: each router on its own.

Kept so that `uvicorn app.main_incremental:app` still works: the app is built by
app.main.create_app("incremental") (see that module for the flags).
"""

from app.main import create_app

app = create_app("incremental")
