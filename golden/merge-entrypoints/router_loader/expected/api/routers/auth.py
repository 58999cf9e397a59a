from fastapi import APIRouter

router = APIRouter()


@router.get("/")
def auth_index() -> dict[str, str]:
    return {"router": "auth"}
