from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from .config import get_settings, load, other


def get_application() -> FastAPI:
    cfg = get_settings()
    origins = cfg.allowed_hosts
    application = FastAPI()
    application.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)
    application.add_middleware(CORSMiddleware, allow_origins=cfg.admin_hosts)
    return application


app = get_application()
app.add_middleware(CORSMiddleware, allow_origins=get_settings().allowed_hosts)
app.add_middleware(CORSMiddleware, allow_origins=load().allowed_hosts)
app.add_middleware(CORSMiddleware, allow_origins=other()["allowed_hosts"])
