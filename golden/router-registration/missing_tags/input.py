from fastapi import APIRouter, FastAPI

from routes import billing, orders, users

api = FastAPI()
api.include_router(users.router, prefix="/api/v2/users", tags=["users"])
api.include_router(orders.router, prefix="/api/v2/orders", tags=["orders"])
api.include_router(
    billing.router,
    prefix="/api/v2/billing/{account_id}",
)
api.include_router(billing.admin_router, prefix="/api/v2/admin/billing", tags=None)

other = FastAPI()
other.include_router(users.router)
