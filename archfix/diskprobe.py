"""Folders the rules looked into beyond the files a run read, so a cached result can be checked.

unresolved-import and misplaced-import ask the disk whether a module exists (a compiled module,
a stub, a folder without ``__init__.py``), also in folders discovery does not walk: excluded
ones, nested projects. The result cache keys on what discovery saw; these folders' listings are
stored with the result and compared before it is reused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

_seen: set[str] = set()


def note(folder: Path) -> None:
    """Record that a rule's answer depends on ``folder``'s listing."""
    _seen.add(os.fspath(folder))


def take() -> set[str]:
    """The folders noted since the last call (and forget them)."""
    out = set(_seen)
    _seen.clear()
    return out


def listing(folder: str) -> str:
    """What a rule can see of ``folder``: its sorted names, or that it is missing."""
    try:
        return "\0".join(sorted(os.listdir(folder)))
    except OSError:
        return "\0missing"


def listings(folders: Iterable[str]) -> dict[str, str]:
    return {folder: listing(folder) for folder in sorted(folders)}


def unchanged(stored: Mapping[str, str]) -> bool:
    """Whether every recorded folder still lists the same names."""
    return all(listing(folder) == names for folder, names in stored.items())
