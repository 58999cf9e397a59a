from fastapi import APIRouter

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/")
async def users() -> list:
    return []
