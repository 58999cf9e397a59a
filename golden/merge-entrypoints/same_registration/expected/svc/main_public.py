"""Public API: any origin, no credentials, compressed more eagerly.

Kept so that `uvicorn svc.main_public:app` still works: the app is built by
svc.main.create_app("public") (see that module for the flags).
"""

from svc.main import create_app

app = create_app("public")
