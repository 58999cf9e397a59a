"""An API router mounted without its prefix: GET / now answers at the site root."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/")
def list_reports() -> list[dict]:
    return []


@router.get("/{report_id}")
def get_report(report_id: int) -> dict:
    return {"id": report_id}
