"""Whether ``ast`` spells a text's names as the text does.

The compiler (and so ``ast``) NFKC-normalises identifiers: ``foo`` spelled in fullwidth letters and
``foo`` are one name. libcst keeps names as written. A prefilter or a pruned traversal that reads
names from the ``ast`` tree (or looks for them in the raw text) agrees with libcst only when no
identifier changes under NFKC.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _in_identifier(char: str) -> bool:
    """Whether ``char`` may occur in an identifier (after its first character)."""
    return ("a" + char).isidentifier()


def identifiers_stable(text: str) -> bool:
    """False when some identifier in ``text`` may change under NFKC normalisation.

    Only characters that can be part of an identifier matter, so ``…``, a non-breaking space or a
    fullwidth comma in a string or comment (common in user-facing text) does not make a file
    "unstable", where a whole-text check did. In a text that parses, an identifier is exactly the
    longest run of identifier characters around any of its own, so each run holding a non-ASCII
    character is checked whole (runs inside strings and comments are checked too: conservative).
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return True
    checked = 0
    for match in _NON_ASCII.finditer(text):
        start = match.start()
        if start < checked or not _in_identifier(text[start]):
            continue
        left, right = start, start + 1
        while left and _in_identifier(text[left - 1]):
            left -= 1
        while right < len(text) and _in_identifier(text[right]):
            right += 1
        if not unicodedata.is_normalized("NFKC", text[left:right]):
            return False
        checked = right
    return True
