"""Unified diffs of file changes, and the hunk split/apply that the interactive mode needs.

The diff is written by hand from ``difflib.SequenceMatcher`` opcodes rather than with
``difflib.unified_diff`` so that the output is exactly what ``git apply`` and ``patch -p1`` accept:
a file's own line endings are kept (a CRLF file yields CRLF body lines, so the patch matches the
file on disk) and a last line without a newline gets the ``\\ No newline at end of file`` marker.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from archfix.models import FileChange
from archfix.paths import display_path

NO_NEWLINE_MARKER = "\\ No newline at end of file"

Opcode = tuple[str, int, int, int, int]


def split_lines(text: str) -> list[str]:
    """Split ``text`` after each ``\\n``, keeping the endings.

    ``str.splitlines`` also breaks on ``\\r``, form feeds and other Unicode separators, which git
    and patch treat as ordinary characters; splitting on those would make hunks that do not apply.
    """
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def _unique_anchors(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of lines that occur exactly once in ``a`` and once in ``b``, in order in both.

    The longest increasing run of such pairs (patience diff's anchors) is taken with patience
    sorting, O(k log k).
    """
    count_a: dict[str, int] = {}
    for line in a:
        count_a[line] = count_a.get(line, 0) + 1
    where_b: dict[str, int] = {}
    count_b: dict[str, int] = {}
    for j, line in enumerate(b):
        count_b[line] = count_b.get(line, 0) + 1
        where_b[line] = j
    pairs = [
        (i, where_b[line])
        for i, line in enumerate(a)
        if count_a[line] == 1 and count_b.get(line) == 1
    ]
    # Longest increasing subsequence of the b indexes (pairs are sorted by a index).
    tails: list[int] = []  # tails[k]: index into pairs ending the best run of length k + 1
    previous: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if pairs[tails[mid]][1] < j:
                lo = mid + 1
            else:
                hi = mid
        previous[n] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(n)
        else:
            tails[lo] = n
    anchors: list[tuple[int, int]] = []
    n = tails[-1] if tails else -1
    while n >= 0:
        anchors.append(pairs[n])
        n = previous[n]
    anchors.reverse()
    return anchors


def line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """``SequenceMatcher.get_opcodes()`` for two line lists, at a cost that scales to big files.

    ``SequenceMatcher(autojunk=False)`` is quadratic in the number of repeated lines (blank lines,
    ``return``, ``)``): a 20,000-line file with 10 scattered edits took 29 s. So the lists are first
    cut at lines unique to both sides (patience diff's anchors, as ``git diff --patience``), and
    the matcher only aligns the stretches between two anchors. autojunk stays off: its heuristic
    treats frequent lines as junk, which gives odd alignments in source code.
    """
    raw: list[Opcode] = []
    ai = bj = 0
    for i, j in [*_unique_anchors(a, b), (len(a), len(b))]:
        if ai < i or bj < j:
            matcher = difflib.SequenceMatcher(None, a[ai:i], b[bj:j], autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                raw.append((tag, ai + i1, ai + i2, bj + j1, bj + j2))
        if i < len(a):
            raw.append(("equal", i, i + 1, j, j + 1))
        ai, bj = i + 1, j + 1
    opcodes: list[Opcode] = []
    for op in raw:
        if opcodes and opcodes[-1][0] == "equal" and op[0] == "equal":
            tag, i1, _, j1, _ = opcodes[-1]
            opcodes[-1] = (tag, i1, op[2], j1, op[4])
        else:
            opcodes.append(op)
    return opcodes


def grouped_line_opcodes(
    a: Sequence[str], b: Sequence[str], context: int = 3
) -> list[list[Opcode]]:
    """The hunks of a diff as opcode groups, as ``SequenceMatcher.get_grouped_opcodes`` makes them.

    Same grouping as difflib (``context`` lines around each change, hunks merged when their
    contexts touch), over ``line_opcodes``.
    """
    codes = line_opcodes(a, b)
    if not any(tag != "equal" for tag, *_ in codes):
        return []
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        # An unchanged stretch longer than two contexts ends one hunk and starts the next.
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _format_range(start: int, stop: int) -> str:
    """A hunk header range in the unified format (same convention as difflib and git)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


@dataclass(frozen=True)
class Hunk:
    """One group of nearby edits with its context, as a unified diff shows it.

    ``opcodes`` index into the old and new line lists (``SequenceMatcher`` convention), so a hunk
    can be taken or left independently of the others.
    """

    opcodes: tuple[Opcode, ...]
    old_lines: tuple[str, ...]
    """The old file's lines covered by the hunk (context included), with their endings."""
    new_lines: tuple[str, ...]

    @property
    def old_start(self) -> int:
        return self.opcodes[0][1]

    @property
    def old_stop(self) -> int:
        return self.opcodes[-1][2]

    @property
    def new_start(self) -> int:
        return self.opcodes[0][3]

    @property
    def new_stop(self) -> int:
        return self.opcodes[-1][4]

    @property
    def header(self) -> str:
        old_range = _format_range(self.old_start, self.old_stop)
        new_range = _format_range(self.new_start, self.new_stop)
        return f"@@ -{old_range} +{new_range} @@"

    def body(self) -> list[str]:
        """The hunk's lines with their ``' '``/``-``/``+`` prefixes, line endings kept."""
        out: list[str] = []
        old_base, new_base = self.old_start, self.new_start
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag == "equal":
                out.extend(_prefixed(" ", self.old_lines[i1 - old_base : i2 - old_base]))
                continue
            out.extend(_prefixed("-", self.old_lines[i1 - old_base : i2 - old_base]))
            out.extend(_prefixed("+", self.new_lines[j1 - new_base : j2 - new_base]))
        return out

    def text(self) -> str:
        """The hunk as unified diff text (header and body)."""
        return self.header + "\n" + "".join(self.body())


def _prefixed(prefix: str, lines: Sequence[str]) -> list[str]:
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(prefix + line)
        else:
            # Only the file's last line can lack a newline; say so, as git does.
            out.append(f"{prefix}{line}\n{NO_NEWLINE_MARKER}\n")
    return out


def _hunks_of_lines(old_lines: list[str], new_lines: list[str], context: int) -> list[Hunk]:
    hunks = []
    for group in grouped_line_opcodes(old_lines, new_lines, context):
        opcodes = tuple(group)
        i_lo, i_hi = opcodes[0][1], opcodes[-1][2]
        j_lo, j_hi = opcodes[0][3], opcodes[-1][4]
        hunks.append(Hunk(opcodes, tuple(old_lines[i_lo:i_hi]), tuple(new_lines[j_lo:j_hi])))
    return hunks


def split_hunks(old: str, new: str, context: int = 3) -> list[Hunk]:
    """The hunks a unified diff of ``old`` -> ``new`` shows, for per-hunk accept/reject."""
    return _hunks_of_lines(split_lines(old), split_lines(new), context)


def apply_hunks(old: str, new: str, accepted: Sequence[bool]) -> str:
    """Rebuild a text taking the new side of the accepted hunks and the old side of the others.

    ``accepted`` has one flag per hunk of ``split_hunks(old, new)`` (missing flags mean rejected),
    so what the user saw in the interactive prompt is exactly what gets applied.
    """
    old_lines, new_lines = split_lines(old), split_lines(new)
    out: list[str] = []
    pos = 0
    for index, hunk in enumerate(_hunks_of_lines(old_lines, new_lines, 3)):
        take_new = index < len(accepted) and accepted[index]
        for tag, i1, i2, j1, j2 in hunk.opcodes:
            if tag == "equal":
                continue
            out.extend(old_lines[pos:i1])
            out.extend(new_lines[j1:j2] if take_new else old_lines[i1:i2])
            pos = i2
    out.extend(old_lines[pos:])
    return "".join(out)


def _headers(change: FileChange, cwd: Path | None) -> tuple[str, str]:
    shown = display_path(change.path, cwd)
    relative = not shown.startswith("/")
    old_name = f"a/{shown}" if relative else shown
    new_name = f"b/{shown}" if relative else shown
    if change.created:
        old_name = "/dev/null"
    if change.deleted:
        new_name = "/dev/null"
    return old_name, new_name


def unified_diff(change: FileChange, *, cwd: Path | None = None) -> str:
    """A git-style unified diff of one change that ``git apply``/``patch -p1`` accept from ``cwd``.

    Empty when the change makes no difference. An empty file that is created or deleted has no
    hunk to show, so it gets git's extended header instead (``git apply`` needs it to act).
    """
    old = change.old_text or ""
    new = change.new_text or ""
    if change.old_text == change.new_text:
        return ""
    old_name, new_name = _headers(change, cwd)
    hunks = split_hunks(old, new)
    out = []
    if not hunks:
        # Only reachable for an empty file being created or deleted.
        shown = display_path(change.path, cwd)
        mode = f"{change.meta.mode:o}" if change.meta.mode else "100644"
        out.append(f"diff --git a/{shown} b/{shown}\n")
        out.append(f"{'new' if change.created else 'deleted'} file mode {mode}\n")
        return "".join(out)
    out.append(f"--- {old_name}\n")
    out.append(f"+++ {new_name}\n")
    for hunk in hunks:
        out.append(hunk.text())
    return "".join(out)


def _parse_counts(header: str) -> tuple[int, int]:
    """The old and new line counts of an ``@@ -a,b +c,d @@`` header (a missing count is 1)."""
    try:
        old_part, new_part = header.split(" ")[1:3]
    except ValueError:
        return 0, 0

    def count(part: str) -> int:
        _, _, length = part[1:].partition(",")
        return int(length) if length.isdigit() else 1

    return count(old_part), count(new_part)


def colorize(diff_text: str) -> str:
    """ANSI-colour a unified diff for a terminal.

    Hunk line counts are tracked so that a removed line reading ``-- x`` (shown as ``--- x``) is
    coloured as a removal, not mistaken for a file header.
    """
    out = []
    old_left = new_left = 0
    for line in split_lines(diff_text):
        content = line.rstrip("\r\n")
        ending = line[len(content) :]
        in_hunk = old_left > 0 or new_left > 0
        if in_hunk and content[:1] in (" ", "-", "+"):
            prefix = content[:1]
            if prefix in (" ", "-"):
                old_left -= 1
            if prefix in (" ", "+"):
                new_left -= 1
            styled = {
                " ": content,
                "-": click.style(content, fg="red"),
                "+": click.style(content, fg="green"),
            }[prefix]
        elif content.startswith("@@"):
            old_left, new_left = _parse_counts(content)
            styled = click.style(content, fg="cyan")
        elif content.startswith(("--- ", "+++ ", "diff --git ")):
            styled = click.style(content, bold=True)
        else:
            styled = content
        out.append(styled + ending)
    return "".join(out)
