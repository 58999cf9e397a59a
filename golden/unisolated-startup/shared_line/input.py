from fastapi import FastAPI

from .services import a, b

app = FastAPI()


@app.on_event("startup")
def startup():
    a.start(); b.start()
