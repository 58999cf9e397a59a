from fastapi import FastAPI

app = FastAPI(title="Billing")


@app.get("/invoices")
def invoices() -> list[dict]:
    return []
