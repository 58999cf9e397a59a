"""How paths are shown: relative to the current directory, absolute only outside it (as git and ruff do).

Relative paths make a batch over several services show which service a file belongs to, and let a
printed diff be applied with ``git apply`` or ``patch -p1`` from the same directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as the user should see it: relative to ``cwd`` when inside it, else absolute."""
    base = (cwd or Path.cwd()).resolve()
    absolute = path if path.is_absolute() else base / path
    absolute = Path(os.path.normpath(absolute))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()
