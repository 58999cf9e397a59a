"""Lite: liveness only.

Kept so that `uvicorn api.main_lite:app` still works: the app is built by
api.main.create_app("lite") (see that module for the flags).
"""

from api.main import create_app

app = create_app("lite")
