"""Incremental: each router on its own, and an endpoint that says which loaded.

Kept so that `uvicorn api.main_incremental:app` still works: the app is built by
api.main.create_app("incremental") (see that module for the flags).
"""

from api.main import create_app

app = create_app("incremental")
