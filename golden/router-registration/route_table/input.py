import importlib

from fastapi import FastAPI

FEATURES = (
    ("auth", "/v1/auth", ["auth"]),
    ("search", "/v1/search", ["search"]),
    ("reports", "/v1/reports", None),
    ("exports", "/v1/exports", ["exports"]),
)

app = FastAPI()

for name, path_prefix, group in FEATURES:
    module = importlib.import_module(f"svc.routes.{name}")
    app.include_router(module.router, prefix=path_prefix, tags=group)
