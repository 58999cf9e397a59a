"""Plain-text output: one line per finding (``path:line:col: RULE-ID message``) and summaries.

The finding format is the one editors and CI log parsers already understand (ruff, flake8, mypy).
Multi-line messages (a middleware chain, a list of candidates) continue on indented lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import click

from archfix.models import FileError, Finding, Fix, Result
from archfix.paths import display_path


def format_finding(finding: Finding, cwd: Path | None = None, color: bool = False) -> str:
    first, *rest = finding.message.splitlines() or [""]
    where = f"{display_path(finding.path, cwd)}:{finding.line}:{finding.col}:"
    rule = finding.rule_id
    if color:
        where = click.style(where, bold=True)
        rule = click.style(rule, fg="red", bold=True)
    lines = [f"{where} {rule} {first}"]
    lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)


def format_error(error: FileError, cwd: Path | None = None, color: bool = False) -> str:
    rule = f" [{error.rule_id}]" if error.rule_id else ""
    label = click.style("error", fg="red", bold=True) if color else "error"
    return f"{label}: {display_path(error.path, cwd)}: {error.kind.value}{rule}: {error.message}"


def findings_summary(findings: Iterable[Finding]) -> str:
    """``Found N findings (X fixable, Y with --unsafe-fixes).``"""
    findings = list(findings)
    if not findings:
        return "No findings."
    safe = sum(1 for f in findings if f.fix is Fix.SAFE)
    unsafe = sum(1 for f in findings if f.fix is Fix.UNSAFE)
    parts = []
    if safe:
        parts.append(f"{safe} fixable with `archfix fix --apply`")
    if unsafe:
        parts.append(f"{unsafe} more with --unsafe-fixes")
    tail = f" ({'; '.join(parts)})" if parts else ""
    noun = "finding" if len(findings) == 1 else "findings"
    return f"Found {len(findings)} {noun}{tail}."


def per_rule_counts(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    counts = Counter(f.rule_id for f in findings)
    return sorted(counts.items())


def fix_summary(result: Result, applied_to_disk: bool) -> str:
    """What a ``fix`` run did or would do, in one or two lines."""
    files = len(result.changes)
    fixes = len(result.applied)
    verb = "Fixed" if applied_to_disk else "Would fix"
    lines = []
    if files:
        lines.append(
            f"{verb} {fixes} finding{'s' if fixes != 1 else ''} in {files} file{'s' if files != 1 else ''}."
            + ("" if applied_to_disk else " Run with --apply to write the changes.")
        )
    else:
        lines.append("No changes.")
    remaining = result.remaining
    if remaining:
        unsafe = sum(1 for f in remaining if f.fix is Fix.UNSAFE)
        extra = f" ({unsafe} fixable with --unsafe-fixes)" if unsafe else ""
        lines.append(f"{len(remaining)} finding{'s' if len(remaining) != 1 else ''} remain{extra}.")
    if result.errors:
        lines.append(
            f"{len(result.errors)} file{'s' if len(result.errors) != 1 else ''} skipped or not fixed (see errors above)."
        )
    return "\n".join(lines)
