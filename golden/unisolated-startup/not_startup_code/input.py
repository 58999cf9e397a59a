from .services import scheduler


async def restart_scheduler() -> None:
    await scheduler.start()


def setup_routes(app) -> None:
    app.state.routes_ready = True
