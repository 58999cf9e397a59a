"""Lite: public routes only.

Kept so that `uvicorn svc.main_lite:application` still works: the app is built by
svc.main.create_app("lite") (see that module for the flags).
"""

from svc.main import create_app

application = create_app("lite")
