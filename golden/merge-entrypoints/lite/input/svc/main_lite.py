"""Lite: public routes only."""
from fastapi import FastAPI as Api

from .views import public

application = Api(title="svc")
application.include_router(public)
