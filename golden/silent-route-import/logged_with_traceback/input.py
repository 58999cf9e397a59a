import importlib
import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
failed: dict[str, str] = {}

for name in ("auth", "users"):
    try:
        module = importlib.import_module(f"app.api.routes.{name}")
    except Exception as exc:
        logger.exception("Router %s failed to load", name)
        failed[name] = str(exc)
        continue
    app.include_router(module.router)

try:
    from app.api.routes import jwks
except ImportError:
    logger.warning("jwks router unavailable", exc_info=True)
else:
    app.include_router(jwks.router)

try:
    from app.api.routes import csrf
    app.include_router(csrf.router)
except ImportError:
    raise RuntimeError("csrf router is required") from None
