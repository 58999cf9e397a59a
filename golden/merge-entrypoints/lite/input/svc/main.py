from fastapi import FastAPI as Api
from starlette.middleware.gzip import GZipMiddleware

from .views import admin, public

application = Api(title="svc")
application.add_middleware(GZipMiddleware, minimum_size=500)
application.include_router(public)
application.include_router(admin, prefix="/admin")
