"""The minimal entry point.

Kept so that `uvicorn app.main_minimal:app` still works: the app is built by
app.main.create_app("minimal") (see that module for the flags).
"""

from app.main import create_app

app = create_app("minimal")
