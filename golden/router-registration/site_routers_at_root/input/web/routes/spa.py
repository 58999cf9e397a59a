"""The single-page app: every path the API does not answer gets index.html."""

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter()


@router.get("/assets/{name}")
def asset(name: str) -> FileResponse:
    return FileResponse(f"dist/assets/{name}")


@router.get("/{full_path:path}")
def app_shell(full_path: str) -> FileResponse:
    return FileResponse("dist/index.html")
