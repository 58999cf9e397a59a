"""Public JSON Web Key Set, served at the well-known path."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/.well-known/jwks.json")
async def jwks() -> dict[str, list[dict[str, str]]]:
    """Tokens are HMAC-signed today, so there are no public keys to publish yet."""
    return {"keys": []}
