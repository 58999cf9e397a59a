"""The libcst trees of recent texts, so that a text is parsed once per process.

The engine parses each candidate file for the file rules; merge-entrypoints then reads every entry
point of a family, usually the same texts. libcst trees are immutable, so handing out the same tree
is safe, and positions (``positions.positions_of``) follow the tree's identity.
"""

from __future__ import annotations

from collections import OrderedDict

import libcst as cst

_SIZE = 16
"""Trees kept: a family's entry points. Few, because every live tree slows the cyclic GC."""
_MAX_CHARS = 500_000
"""And at most this much source in all: a tree takes 20-50 bytes per character of its text, so
the kept trees stay under about 25 MB whatever the project's largest files."""

_recent: OrderedDict[str, cst.Module] = OrderedDict()
_chars = 0


def remember(text: str, module: cst.Module) -> None:
    """Keep ``module`` as the tree of ``text`` (the caller guarantees ``module.code == text``)."""
    global _chars
    if len(text) > _MAX_CHARS:
        return
    if text not in _recent:
        _chars += len(text)
    _recent[text] = module
    _recent.move_to_end(text)
    while len(_recent) > _SIZE or _chars > _MAX_CHARS:
        old, _ = _recent.popitem(last=False)
        _chars -= len(old)


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)``, or the tree already made of the same text."""
    found = _recent.get(text)
    if found is not None:
        _recent.move_to_end(text)
        return found
    return cst.parse_module(text)
