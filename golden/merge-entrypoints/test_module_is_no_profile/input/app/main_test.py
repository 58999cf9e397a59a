from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI(title="Billing")


@app.get("/invoices")
def invoices() -> list[dict]:
    return [{"id": 1, "fake": True}]


def test_fake_invoices() -> None:
    assert TestClient(app).get("/invoices").json()[0]["fake"]
