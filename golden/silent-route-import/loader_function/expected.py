import logging
from importlib import import_module

from fastapi import FastAPI


def include_routers(app: FastAPI, names: list[str]) -> None:
    """Mount every feature router that imports."""
    failed_routers: list[str] = []

    for name in names:
        try:
            app.include_router(import_module(f"api.routes.{name}").router)
        except ModuleNotFoundError:
            logging.getLogger(__name__).exception(
                "Router %s failed to load", f"api.routes.{name}"
            )
            failed_routers.append(f"api.routes.{name}")
            continue

    if failed_routers:
        logging.getLogger(__name__).warning(
            "Routers not loaded: %s", ", ".join(failed_routers)
        )


def create_app() -> FastAPI:
    app = FastAPI()
    include_routers(app, ["a", "b"])
    return app
