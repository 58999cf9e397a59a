from importlib import import_module

from fastapi import FastAPI


def include_routers(app: FastAPI, names: list[str]) -> None:
    """Mount every feature router that imports."""
    for name in names:
        try:
            app.include_router(import_module(f"api.routes.{name}").router)
        except ModuleNotFoundError:
            continue


def create_app() -> FastAPI:
    app = FastAPI()
    include_routers(app, ["a", "b"])
    return app
