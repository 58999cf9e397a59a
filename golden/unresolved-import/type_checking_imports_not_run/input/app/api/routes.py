import typing
from typing import TYPE_CHECKING

from app.services.mailer import send_welcome_mail

if TYPE_CHECKING:
    from app.gone import Thing
    from app.api.models import Removed
else:
    from app.runtime_only import fallback

if typing.TYPE_CHECKING:
    import app.typing_only.stubs


def handler(thing: "Thing") -> "Removed":
    send_welcome_mail(thing)
    return fallback(app.typing_only.stubs)
