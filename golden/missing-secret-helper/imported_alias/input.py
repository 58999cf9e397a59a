from .secrets import get_secret as _get_secret

TOKEN = _get_secret("TOKEN")
