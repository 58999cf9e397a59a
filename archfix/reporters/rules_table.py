"""The rules table, as a terminal table, Markdown (the README's copy, checked by a test) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from archfix.models import RuleInfo

README_START = "<!-- rules-table:start -->"
README_END = "<!-- rules-table:end -->"


def render_rules(
    infos: Sequence[RuleInfo], fmt: str, priorities: Sequence[int] | None = None
) -> str:
    """The table of rules in engine order."""
    if fmt == "json":
        return json.dumps(
            [
                {"id": i.id, "title": i.title, "fixable": i.fixable.label, "section": i.section}
                for i in infos
            ],
            indent=2,
        )
    if fmt == "markdown":
        rows = ["| # | rule | what it does | fix | review section |", "|---|---|---|---|---|"]
        for n, info in enumerate(infos, 1):
            rows.append(
                f"| {n} | `{info.id}` | {info.title} | {info.fixable.label} | {info.section} |"
            )
        return "\n".join(rows)
    headers = ("id", "title", "fixable", "section")
    data = [(i.id, i.title, i.fixable.label, i.section) for i in infos]
    widths = [max([len(h), *(len(row[k]) for row in data)]) for k, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in data:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
