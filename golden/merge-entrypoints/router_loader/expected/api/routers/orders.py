from fastapi import APIRouter

router = APIRouter()


@router.get("/")
def orders_index() -> dict[str, str]:
    return {"router": "orders"}
