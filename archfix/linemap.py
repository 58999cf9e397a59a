"""Carry finding positions from one version of a file to another.

Rules report positions in the text they ran on, which after an earlier rule's fix is not the file
on disk. Findings are reported against the file as it is before the run (what ``check`` shows and
what a dry run leaves in place); after ``--apply`` the remaining ones move to the written text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace

from archfix.models import Finding, Result


class LineMap:
    """Line numbers of ``source`` -> line numbers of ``target`` (1-based).

    A line in a stretch both texts share maps to its copy; a line the edit added or changed maps
    to the first line of the stretch it replaced (for an insertion, the line it was inserted
    before), the nearest place the other text has.
    """

    def __init__(self, source: str, target: str) -> None:
        a, b = source.splitlines(), target.splitlines()
        self._exact = [0] * (len(a) + 2)
        self._same = [False] * (len(a) + 2)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        last = max(len(b), 1)
        for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
            for i in range(i1, i2):
                if tag == "equal":
                    self._exact[i + 1] = j1 + (i - i1) + 1
                    self._same[i + 1] = True
                else:
                    self._exact[i + 1] = min(j1 + 1, last)
        self._exact[len(a) + 1] = len(b) + 1

    def line(self, line: int) -> tuple[int, bool]:
        """The target line for ``line``, and whether the line itself is unchanged there."""
        if 1 <= line < len(self._exact):
            return self._exact[line], self._same[line]
        return line, False

    def place(self, findings: Iterable[Finding]) -> list[Finding]:
        """``findings`` reported on the source text, with their positions in the target."""
        mapped = []
        for finding in findings:
            line, same = self.line(finding.line)
            if line == finding.line and same:
                mapped.append(finding)
            else:
                mapped.append(replace(finding, line=line, col=finding.col if same else 1))
        return mapped


def remap(findings: Iterable[Finding], source: str, target: str) -> list[Finding]:
    """``findings`` reported on ``source``, with their positions in ``target``."""
    out = list(findings)
    if source == target or not out:
        return out
    return LineMap(source, target).place(out)


def onto_changes(result: Result) -> None:
    """Move the remaining findings of ``result`` into the texts its changes write (``--apply``:
    they are then where the user finds them; a deleted file keeps the old positions)."""
    new_texts = {c.path: (c.old_text, c.new_text) for c in result.changes}
    moved: list[Finding] = []
    for finding in result.findings:
        texts = new_texts.get(finding.path)
        if finding.applied or texts is None or texts[0] is None or texts[1] is None:
            moved.append(finding)
        else:
            moved.extend(remap([finding], texts[0], texts[1]))
    result.findings = moved
