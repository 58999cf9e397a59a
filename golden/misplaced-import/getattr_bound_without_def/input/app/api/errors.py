class JSONDecodeError(Exception):
    """The API's own error type (unrelated to json.JSONDecodeError)."""


class TimeoutError(Exception):  # noqa: A001
    """The API's own timeout (unrelated to asyncio.TimeoutError)."""


class ExpatError(Exception):
    """The API's own XML error."""
