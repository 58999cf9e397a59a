"""Wrong imports at every depth: each statement block is reached, expressions are not needed."""

import typing

if typing.TYPE_CHECKING:
    from app.db.base import get_db
else:
    pass

value = 1; from app.db.base import get_db  # noqa: E702


def handler():
    from app.db.base import get_db

    return get_db


class Repository:
    def load(self, flag):
        if flag:
            from ...db.base import get_db
        elif flag is None:
            from app.db.base import Base, get_db
        else:
            # comment above a nested import
            from app.db.base import get_db as dependency
        with open(__file__) as handle:
            from app.db.base import get_db
        for _ in range(1):
            from app.db.base import get_db
        else:
            from app.db.base import get_db
        while flag:
            from app.db.base import get_db
            break
        return get_db, handle, dependency, Base


def cleanup():
    try:
        pass
    except ValueError:
        from app.db.base import get_db
    else:
        from app.db.base import get_db
    finally:
        from app.db.base import get_db
    return get_db


def guarded():
    try:
        from app.db.base import get_db
    except ImportError:
        get_db = None
    return get_db


match value:
    case 1:
        from app.db.base import get_db
    case _:
        pass

if value: from app.db.base import get_db  # noqa: E701
