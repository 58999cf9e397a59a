from fastapi import FastAPI

from .tracing import setup_tracing
from .workers import start_worker

app = FastAPI()
admin = FastAPI()


@app.on_event("startup")
def startup() -> None:
    setup_tracing(app)
    setup_tracing(admin)
    start_worker("emails")
    start_worker("reports")
    start_worker(queue="emails", concurrency=2)
