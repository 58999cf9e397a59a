from app.compat import JSONDecodeError
from app.forwarded import TimeoutError  # noqa: A004
from app.lazy import ExpatError

HANDLED = (JSONDecodeError, TimeoutError, ExpatError)
