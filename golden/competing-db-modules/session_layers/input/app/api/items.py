from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.api.deps import get_db

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/")
def list_items(db: Session = Depends(get_db)) -> list[dict]:
    return []
