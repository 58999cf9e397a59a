"""Starting a thread is the isolation already: whatever fails runs in the thread, not in
start-up, and wrapping the start could leave a readiness flag unset for good. Other starts in
the same handlers are still optional services."""

import logging
import threading
from contextlib import asynccontextmanager
from threading import Thread

from fastapi import FastAPI

from app.services import poll, refresh, scheduler, warm

logger = logging.getLogger(__name__)
state = {"ready": False}
refresher = Thread(target=refresh, daemon=True)


class Warmer(threading.Thread):
    def run(self) -> None:
        warm()


def load_models() -> None:
    state["ready"] = True


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.poller = threading.Timer(5.0, poll)
    app.state.poller.start()
    threading.Thread(target=warm, daemon=True).start()
    Warmer(daemon=True).start()
    refresher.start()
    try:
        scheduler.start()
    except Exception:
        logger.exception("scheduler.start() failed at startup; continuing without it")
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("startup")
def startup_model_init() -> None:
    worker = Thread(target=load_models, daemon=True)
    worker.start()
