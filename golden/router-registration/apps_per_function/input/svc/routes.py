from fastapi import APIRouter

users = APIRouter(prefix="/api/users", tags=["users"])
items = APIRouter(prefix="/api/items", tags=["items"])
orders = APIRouter(prefix="/api/orders", tags=["orders"])
admin = APIRouter()
reports = APIRouter()


@admin.get("/stats")
def stats():
    return {}


@reports.get("/")
def list_reports():
    return []
