"""Code that rules generate is laid out by black, at the place it lands.

The guide's rule: black formats what archfix writes (a helper, a wrapper around a statement, a log
call), never the user's own lines. A generated statement lands at some indentation, so it is
formatted at the project's line length minus that indentation; libcst then re-indents its
continuation lines to the block it is inserted in.

Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import libcst as cst

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88
"""black's default line length (black itself is imported only when code is generated)."""

_MIN_WIDTH = 40
"""Deeply nested code still gets this many columns (black would otherwise split every call)."""


def black_line_length(root: Path) -> int:
    """The project's line length: ``[tool.black] line-length``, else ``[tool.ruff] line-length``
    (a project formatted with ruff), else black's default (88)."""
    pyproject = root / "pyproject.toml"
    try:
        st = pyproject.stat()
    except OSError:
        return DEFAULT_LINE_LENGTH
    return _line_length(pyproject, st.st_mtime_ns, st.st_size)


@cache
def _line_length(pyproject: Path, mtime_ns: int, size: int) -> int:
    """Read once per version of the file (a long-lived process sees an edit)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return DEFAULT_LINE_LENGTH
    tool = data.get("tool", {})
    for table in (tool.get("black", {}), tool.get("ruff", {})):
        value = table.get("line-length") if isinstance(table, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return DEFAULT_LINE_LENGTH


@cache
def _formatted(code: str, width: int) -> str:
    import black  # imported on use: most runs generate no code

    return black.format_str(code, mode=black.Mode(line_length=width))


def formatted_statements(code: str, column: int, root: Path) -> list[cst.BaseStatement]:
    """The statements of generated ``code``, formatted by black to fit where they land: at
    ``column`` (the indentation they get) in a project whose line length is ``root``'s."""
    width = max(black_line_length(root) - column, _MIN_WIDTH)
    return list(cst.parse_module(_formatted(code, width)).body)
