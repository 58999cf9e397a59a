import logging

from fastapi import FastAPI

logger = logging.getLogger(__name__)

app = FastAPI(title="svc")


@app.get("/")
async def root():
    logger.info("root called")
    return {"ok": True}
