from fastapi import APIRouter

router = APIRouter()


@router.get("/")
def users_index() -> dict[str, str]:
    return {"router": "users"}
