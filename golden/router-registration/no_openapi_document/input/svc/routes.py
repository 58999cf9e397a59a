from fastapi import APIRouter

users = APIRouter(prefix="/api/users", tags=["users"])
items = APIRouter(prefix="/api/items", tags=["items"])
orders = APIRouter()
billing = APIRouter()


@orders.get("/orders")
def list_orders():
    return []


@billing.get("/")
def list_invoices():
    return []
