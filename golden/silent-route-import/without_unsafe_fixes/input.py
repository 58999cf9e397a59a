from fastapi import FastAPI

app = FastAPI()

try:
    from app.routers import billing

    app.include_router(billing.router)
except ImportError:
    pass
