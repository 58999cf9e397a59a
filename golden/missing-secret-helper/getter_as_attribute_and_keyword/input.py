"""The getter's name as an attribute and as a keyword argument binds nothing in this module: the
call still raises NameError (decided from the ast alone, without libcst's scope analysis)."""

import os
from types import SimpleNamespace

vault = SimpleNamespace(_get_secret=os.getenv)
vault._get_secret = os.getenv
TOKEN = _get_secret("TOKEN") if vault._get_secret("USE_VAULT") else None
