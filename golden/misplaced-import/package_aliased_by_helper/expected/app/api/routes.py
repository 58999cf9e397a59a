import json

from app.legacy import JSONDecodeError
from app.moved import JSONDecodeError as MovedDecodeError
from app.api.errors import ValidationError


def parse(body: str):
    try:
        return json.loads(body)
    except (JSONDecodeError, MovedDecodeError, ValidationError):
        return None
