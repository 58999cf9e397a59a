"""Web entry point with docs and debug on.

Kept so that `uvicorn web.main_debug:app` still works: the app is built by
web.main.create_app("debug") (see that module for the flags).
"""

from web.main import create_app

app = create_app("debug")
