"""A registry of protected routes (it mounts nothing)."""

_PROTECTED: dict[str, str] = {}


def get_all_protected_routes() -> dict[str, str]:
    return dict(_PROTECTED)
