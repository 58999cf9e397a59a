"""CSRF token issuance for the browser client."""

import secrets

from fastapi import APIRouter, Response

router = APIRouter()


@router.get("/token")
async def csrf_token(response: Response) -> dict[str, str]:
    """Set the double-submit cookie and return the same token in the body."""
    token = secrets.token_urlsafe(32)
    response.set_cookie("csrf_token", token, samesite="strict", secure=False)
    return {"csrf_token": token}
