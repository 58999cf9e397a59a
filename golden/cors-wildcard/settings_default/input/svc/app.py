from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from .core import config
from .core.config import cfg as service_cfg

app = Starlette()
app.add_middleware(CORSMiddleware, allow_origins=service_cfg.allowed_origins, allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origins=config.cfg.allowed_origins)
app.add_middleware(CORSMiddleware, allow_origins=service_cfg.admin_origins, allow_credentials=True)

from svc.core import settings

app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins)
