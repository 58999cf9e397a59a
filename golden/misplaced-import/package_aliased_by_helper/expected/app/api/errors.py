class JSONDecodeError(Exception):
    """The API's own error type (unrelated to json.JSONDecodeError)."""


class ValidationError(Exception):
    """The API's validation error."""
