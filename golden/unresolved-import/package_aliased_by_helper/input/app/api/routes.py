from app.legacy.errors import LegacyError
from app.plain.errors import PlainError


def handler():
    raise LegacyError() from PlainError()
