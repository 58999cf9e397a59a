"""GitHub Actions workflow commands: one ``::warning`` annotation per finding, one ``::error`` per
skipped file, so findings show up on the pull request's diff without uploading anything.

Format: ``::warning file=PATH,line=N,col=N,title=RULE-ID::MESSAGE``. GitHub parses these lines
itself, so text is escaped as its runner does (``toCommandValue``/``escapeData``/
``escapeProperty`` in actions/toolkit): ``%``, CR and LF in the message; additionally ``:`` and
``,`` in property values, which would otherwise end the property. Paths are relative to the
current directory, which in a workflow is the repository root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from archfix.models import FileError, Finding, Result
from archfix.paths import display_path


def escape_data(text: str) -> str:
    """Escape a message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def finding_annotation(finding: Finding, cwd: Path | None = None) -> str:
    props = ",".join(
        [
            f"file={escape_property(display_path(finding.path, cwd))}",
            f"line={finding.line}",
            f"col={finding.col}",
            f"title={escape_property(finding.rule_id)}",
        ]
    )
    return f"::warning {props}::{escape_data(finding.message)}"


def error_annotation(error: FileError, cwd: Path | None = None) -> str:
    title = f"archfix {error.kind.value}" + (f" [{error.rule_id}]" if error.rule_id else "")
    props = f"file={escape_property(display_path(error.path, cwd))},title={escape_property(title)}"
    return f"::error {props}::{escape_data(error.message)}"


def render_github(
    results: Sequence[Result], *, cwd: Path | None = None, applied_to_disk: bool = False
) -> str:
    """Annotation lines for every finding (still present, after --apply) and every error."""
    lines: list[str] = []
    for result in results:
        findings: Iterable[Finding] = result.remaining if applied_to_disk else result.findings
        lines.extend(finding_annotation(f, cwd) for f in findings)
        lines.extend(error_annotation(e, cwd) for e in result.errors)
    return "\n".join(lines)
