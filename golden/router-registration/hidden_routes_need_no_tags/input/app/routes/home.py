from fastapi import APIRouter

router = APIRouter()


@router.get("/", include_in_schema=False)
def hello() -> dict:
    return {"hello": "world"}


@router.get("/version", include_in_schema=False)
def version() -> dict:
    return {"version": "1"}
