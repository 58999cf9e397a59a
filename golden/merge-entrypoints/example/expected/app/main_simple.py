"""Simple entry point: core routes only.

Kept so that `uvicorn app.main_simple:app` still works: the app is built by
app.main.create_app("simple") (see that module for the flags).
"""

from app.main import create_app

app = create_app("simple")
