"""Fullwidth keywords: Python reads ｐｒｅｆｉｘ and ｔａｇｓ as prefix and tags (NFKC)."""
from fastapi import APIRouter

router = APIRouter(ｐｒｅｆｉｘ="/api/billing", ｔａｇｓ=["billing"])


@router.get("/")
async def invoices() -> list:
    return []
