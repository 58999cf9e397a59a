"""Operator endpoints, deliberately left out of the public docs."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


@router.post("/reindex")
def reindex() -> dict:
    return {"started": True}
