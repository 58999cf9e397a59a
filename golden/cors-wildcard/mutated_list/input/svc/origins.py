import os

ORIGINS = ["*"]
DEV_ORIGINS = ["*"]


def restrict() -> None:
    ORIGINS.clear()
    ORIGINS.extend(os.environ["CORS_ORIGINS"].split(","))
