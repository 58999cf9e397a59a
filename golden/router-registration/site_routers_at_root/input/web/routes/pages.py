"""Server-rendered pages: they live at the site root, not under /api."""

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter()


@router.get("/", response_class=FileResponse)
def index() -> str:
    return "static/index.html"


@router.get("/login", response_class=HTMLResponse)
def login() -> str:
    return "<form></form>"
