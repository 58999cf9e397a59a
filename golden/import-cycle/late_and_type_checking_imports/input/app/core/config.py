from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.secret_manager import Client

settings = object()
