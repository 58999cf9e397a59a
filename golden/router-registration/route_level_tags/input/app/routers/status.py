"""Every route names its docs group itself: tags on the include would add a second group."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/uptime", tags=["monitoring"])
def uptime() -> dict:
    return {"up": True}


@router.get("/version", tags=["monitoring"])
def version() -> dict:
    return {"version": "1"}
