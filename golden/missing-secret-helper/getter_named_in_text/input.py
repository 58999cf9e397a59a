"""Settings whose text names _get_secret outside calls: a docstring, a message, NewType.

The name in strings (libcst reads string annotations as code) and a NewType call (libcst's scope
analysis skips its first argument) make the rule ask libcst's scope analysis: it still fires.
"""

from typing import NewType

SecretName = NewType("SecretName", str)


class Settings:
    HELP = "values come from _get_secret(name)"

    def database_url(self) -> str:
        password = _get_secret(SecretName("DB_PASSWORD"))
        return f"postgresql://app:{password}@db/app"
