from fastapi import FastAPI

from app.routers import invoices

app = FastAPI(title="Billing")
app.include_router(invoices.router, prefix="/invoices")


@app.get("/health")
def health() -> dict:
    return {"ok": True}
