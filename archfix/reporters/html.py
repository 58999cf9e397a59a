"""A self-contained HTML report: summary, rule docs, findings, errors and side-by-side diffs.

One file with inline CSS and no scripts or network assets, so it can be attached to a CI run or a
review and opened offline. Every piece of text that comes from a project (source lines, paths,
messages, rule docs) goes through ``html.escape``: the report must be safe to open even for a
hostile repository.

The side-by-side view is built here rather than with ``difflib.HtmlDiff``, whose intraline
pairing is super-quadratic on blocks of similar changed lines (CPython issue #119105: about a
minute for a 400-line block). Here the cost is bounded: see ``INTRALINE_MAX_PAIRS`` and
``INTRALINE_MAX_CHARS``.
"""

from __future__ import annotations

import difflib
import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archfix.models import FileChange, FileError, Finding, Fix, Result, RuleInfo
from archfix.paths import display_path
from archfix.reporters.diff import grouped_line_opcodes, split_lines

CONTEXT_LINES = 3

# Intraline (character) highlights are a SequenceMatcher per line pair, roughly quadratic in the
# line length. Bounding both the line length and the number of pairs per changed block keeps the
# cost per changed line constant, so a report's cost stays linear in the number of changed lines.
# Beyond these bounds the lines are still shown, with whole-line colouring only.
INTRALINE_MAX_CHARS = 400
INTRALINE_MAX_PAIRS = 200

# C0 control characters (except tab) would be invisible or invalid in HTML: show their
# Unicode "control picture" instead (U+2400 + code), and DEL as U+2421.
_CONTROL_PICTURES = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_CONTROL_PICTURES[0x7F] = 0x2421


@dataclass(frozen=True)
class ReportSection:
    """One service's result in a report (a plain run has one section named after the project)."""

    name: str
    result: Result


def _e(text: object) -> str:
    """Escape any text for HTML content or a quoted attribute value."""
    return html.escape(str(text), quote=True)


def _display_code(text: str) -> str:
    """Escape a source fragment for display, making control characters visible."""
    return html.escape(text.translate(_CONTROL_PICTURES), quote=True)


def _strip_eol(line: str) -> tuple[str, str]:
    """Split a line into its text and its ending ("\\r\\n", "\\n" or "")."""
    if line.endswith("\r\n"):
        return line[:-2], "\r\n"
    if line.endswith("\n"):
        return line[:-1], "\n"
    return line, ""


_EOL_LABELS = {"\r\n": "CRLF", "\n": "LF", "": "no newline at end"}

_CSS = """
:root { --fg:#1f2328; --muted:#656d76; --bg:#fff; --line:#d0d7de; --head:#f6f8fa;
  --add:#e6ffec; --add-hi:#abf2bc; --del:#ffebe9; --del-hi:#ffb3ad; --sep:#ddf4ff; }
@media (prefers-color-scheme: dark) {
  :root { --fg:#e6edf3; --muted:#8d96a0; --bg:#0d1117; --line:#30363d; --head:#161b22;
    --add:#12261e; --add-hi:#1f6f3a; --del:#25171c; --del-hi:#8e1519; --sep:#121d2f; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem; color: var(--fg);
  background: var(--bg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { margin: 0 0 .5rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
code, pre, .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
  vertical-align: top; }
th { background: var(--head); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.totals { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; color: var(--muted); }
.totals b { color: var(--fg); }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; }
pre.why { white-space: pre-wrap; background: var(--head); padding: .5rem; margin: .25rem 0; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: 12px;
  border: 1px solid var(--line); }
.applied { background: var(--add); } .remaining { background: var(--del); }
.muted { color: var(--muted); }
details.file { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 1rem; }
details.file > summary { background: var(--head); padding: .4rem .6rem; cursor: pointer; }
table.sbs { width: 100%; table-layout: fixed; margin: 0; }
table.sbs td { border: 0; padding: 0 .4rem; white-space: pre-wrap; overflow-wrap: anywhere;
  tab-size: 4; }
table.sbs col.ln { width: 4.5em; }
table.sbs td.ln { text-align: right; color: var(--muted); user-select: none;
  border-right: 1px solid var(--line); }
tr.del td.o, tr.chg td.o { background: var(--del); }
tr.add td.n, tr.chg td.n { background: var(--add); }
tr.sep td { background: var(--sep); color: var(--muted); text-align: center; font-style: italic; }
td.o span.hi { background: var(--del-hi); } td.n span.hi { background: var(--add-hi); }
.eol { color: var(--muted); font-size: 11px; border: 1px solid var(--line); border-radius: 3px;
  padding: 0 .2rem; margin-left: .3rem; }
"""


# ---------------------------------------------------------------------------------------------
# Side-by-side diff


def _intraline(old: str, new: str) -> tuple[str, str]:
    """Escaped old/new line texts with the differing characters wrapped in ``span.hi``."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    old_parts: list[str] = []
    new_parts: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_piece, new_piece = _display_code(old[i1:i2]), _display_code(new[j1:j2])
        if tag == "equal":
            old_parts.append(old_piece)
            new_parts.append(new_piece)
            continue
        if old_piece:
            old_parts.append(f'<span class="hi">{old_piece}</span>')
        if new_piece:
            new_parts.append(f'<span class="hi">{new_piece}</span>')
    return "".join(old_parts), "".join(new_parts)


def _eol_tag(ending: str) -> str:
    return f'<span class="eol">{_EOL_LABELS[ending]}</span>'


def _row(kind: str, old_no: int | None, old_html: str, new_no: int | None, new_html: str) -> str:
    old_ln = "" if old_no is None else str(old_no)
    new_ln = "" if new_no is None else str(new_no)
    return (
        f'<tr class="{kind}"><td class="ln">{old_ln}</td><td class="o">{old_html}</td>'
        f'<td class="ln">{new_ln}</td><td class="n">{new_html}</td></tr>'
    )


def _separator(count: int) -> str:
    noun = "line" if count == 1 else "lines"
    return f'<tr class="sep"><td colspan="4">\u2026 {count} unchanged {noun} \u2026</td></tr>'


def _replace_rows(
    old_lines: Sequence[str], new_lines: Sequence[str], i1: int, i2: int, j1: int, j2: int
) -> Iterable[str]:
    """Rows for a 'replace' block: lines paired 1:1, the longer side's excess as del/add rows."""
    pairs = min(i2 - i1, j2 - j1)
    highlight = pairs <= INTRALINE_MAX_PAIRS
    for k in range(pairs):
        old_text, old_end = _strip_eol(old_lines[i1 + k])
        new_text, new_end = _strip_eol(new_lines[j1 + k])
        if highlight and max(len(old_text), len(new_text)) <= INTRALINE_MAX_CHARS:
            old_html, new_html = _intraline(old_text, new_text)
        else:
            old_html, new_html = _display_code(old_text), _display_code(new_text)
        if old_end != new_end:
            # Otherwise a pure line-ending change would look like an unchanged line.
            old_html += _eol_tag(old_end)
            new_html += _eol_tag(new_end)
        yield _row("chg", i1 + k + 1, old_html, j1 + k + 1, new_html)
    for i in range(i1 + pairs, i2):
        yield _row("del", i + 1, _line_html(old_lines[i]), None, "")
    for j in range(j1 + pairs, j2):
        yield _row("add", None, "", j + 1, _line_html(new_lines[j]))


def _line_html(line: str) -> str:
    text, ending = _strip_eol(line)
    shown = _display_code(text)
    return shown + _eol_tag(ending) if not ending else shown


def side_by_side_rows(old: str, new: str, context: int = CONTEXT_LINES) -> list[str]:
    """Table rows (``<tr>``) of a side-by-side diff, only around the changes.

    Work is proportional to the changed lines plus ``context`` lines per hunk, not to the file
    size; the unchanged stretches between hunks become one separator row each.
    """
    old_lines, new_lines = split_lines(old), split_lines(new)
    rows: list[str] = []
    shown_until = 0
    for group in grouped_line_opcodes(old_lines, new_lines, context):
        start = group[0][1]
        if start > shown_until:
            rows.append(_separator(start - shown_until))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    line = _line_html(old_lines[i1 + k])
                    rows.append(_row("ctx", i1 + k + 1, line, j1 + k + 1, line))
            elif tag == "replace":
                rows.extend(_replace_rows(old_lines, new_lines, i1, i2, j1, j2))
            elif tag == "delete":
                rows.extend(
                    _row("del", i + 1, _line_html(old_lines[i]), None, "") for i in range(i1, i2)
                )
            else:
                rows.extend(
                    _row("add", None, "", j + 1, _line_html(new_lines[j])) for j in range(j1, j2)
                )
        shown_until = group[-1][2]
    if rows and shown_until < len(old_lines):
        rows.append(_separator(len(old_lines) - shown_until))
    return rows


def _file_diff(change: FileChange, anchor: str, cwd: Path | None) -> str:
    shown = display_path(change.path, cwd)
    badges = []
    if change.created:
        badges.append('<span class="badge applied">created</span>')
    if change.deleted:
        badges.append('<span class="badge remaining">deleted</span>')
    rules = ", ".join(f"<code>{_e(rule)}</code>" for rule in change.rules)
    rows = side_by_side_rows(change.old_text or "", change.new_text or "")
    if not rows:
        rows = ['<tr class="sep"><td colspan="4">empty file</td></tr>']
    return (
        f'<details class="file" open id="{anchor}"><summary><code>{_e(shown)}</code> '
        f'{" ".join(badges)} <span class="muted">{rules}</span></summary>'
        '<table class="sbs code"><colgroup><col class="ln"><col><col class="ln"><col>'
        "</colgroup><tbody>\n" + "\n".join(rows) + "\n</tbody></table></details>"
    )


# ---------------------------------------------------------------------------------------------
# Summary, rules, findings, errors


def _sorted_findings(findings: Iterable[Finding], cwd: Path | None) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (display_path(f.path, cwd), f.line, f.col, f.rule_id, f.message)
    )


def _totals(results: Sequence[Result]) -> str:
    items = [
        ("files changed", sum(len(r.changes) for r in results)),
        ("fixes applied", sum(len(r.applied) for r in results)),
        ("remaining findings", sum(len(r.remaining) for r in results)),
        ("errors / skipped files", sum(len(r.errors) for r in results)),
        ("files scanned", sum(r.files_scanned for r in results)),
    ]
    spans = "".join(f'<span>{label}: <b class="total">{count}</b></span>' for label, count in items)
    return f'<div class="totals">{spans}</div>'


def _rule_title(rule_id: str, rules: Mapping[str, RuleInfo]) -> str:
    info = rules.get(rule_id)
    return _e(info.title) if info else '<span class="muted">(unknown rule)</span>'


def _rule_fixable(rule_id: str, rules: Mapping[str, RuleInfo]) -> str:
    info = rules.get(rule_id)
    return _e(info.fixable.label) if info else ""


def _section_summary(result: Result, rules: Mapping[str, RuleInfo]) -> str:
    remaining = Counter(f.rule_id for f in result.remaining)
    applied = Counter(f.rule_id for f in result.applied)
    summary = (
        '<table class="summary"><tbody>'
        f'<tr><th>Files changed</th><td class="num">{len(result.changes)}</td></tr>'
        f'<tr><th>Fixes applied</th><td class="num">{len(result.applied)}</td></tr>'
        f'<tr><th>Remaining findings</th><td class="num">{len(result.remaining)}</td></tr>'
        f'<tr><th>Errors / skipped files</th><td class="num">{len(result.errors)}</td></tr>'
        f'<tr><th>Files scanned</th><td class="num">{result.files_scanned}</td></tr>'
        "</tbody></table>"
    )
    rule_ids = sorted(set(remaining) | set(applied))
    if not rule_ids:
        return summary + '<p class="muted">No findings.</p>'
    rows = "".join(
        f'<tr><td><a href="#rule-{_e(rule_id)}"><code>{_e(rule_id)}</code></a></td>'
        f"<td>{_rule_title(rule_id, rules)}</td>"
        f'<td class="num">{remaining[rule_id]}</td><td class="num">{applied[rule_id]}</td>'
        f"<td>{_rule_fixable(rule_id, rules)}</td></tr>"
        for rule_id in rule_ids
    )
    return (
        summary + '<table class="rules-summary"><thead><tr><th>Rule</th><th>Title</th>'
        "<th>Remaining</th><th>Fixed</th><th>Fixable</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _involved_rules(results: Sequence[Result]) -> list[str]:
    """Ids of the rules that found, changed or failed on something, sorted for stable output."""
    involved: set[str] = set()
    for result in results:
        involved.update(f.rule_id for f in result.findings)
        for change in result.changes:
            involved.update(change.rules)
        involved.update(e.rule_id for e in result.errors if e.rule_id)
    return sorted(involved)


def _rules_block(rule_ids: Sequence[str], rules: Mapping[str, RuleInfo]) -> str:
    if not rule_ids:
        return ""
    parts = ['<section id="rules"><h2>Rules</h2>']
    for rule_id in rule_ids:
        info = rules.get(rule_id)
        parts.append(f'<div class="rule" id="rule-{_e(rule_id)}"><h3><code>{_e(rule_id)}</code> ')
        if info is None:
            parts.append('<span class="muted">(unknown rule)</span></h3></div>')
            continue
        parts.append(
            f"{_e(info.title)}</h3>"
            f"<p>Review section: {_e(info.section)} &middot; fixable: "
            f"<b>{_e(info.fixable.label)}</b></p>"
            f'<pre class="why">{_e(info.why.strip())}</pre></div>'
        )
    parts.append("</section>")
    return "".join(parts)


def _findings_table(
    findings: Sequence[Finding], diff_anchors: Mapping[str, str], cwd: Path | None
) -> str:
    if not findings:
        return ""
    rows = []
    for finding in findings:
        shown = display_path(finding.path, cwd)
        where = _e(f"{shown}:{finding.line}:{finding.col}")
        anchor = diff_anchors.get(shown)
        if anchor:
            where = f'<a href="#{anchor}">{where}</a>'
        status = (
            '<span class="badge applied">fixed</span>'
            if finding.applied
            else '<span class="badge remaining">remaining</span>'
        )
        fix = "no fix" if finding.fix is Fix.NONE else f"{finding.fix.value} fix"
        rows.append(
            f"<tr><td><code>{where}</code></td><td><code>{_e(finding.rule_id)}</code></td>"
            f'<td class="msg">{_e(finding.message)}</td><td>{status}</td><td>{_e(fix)}</td></tr>'
        )
    return (
        '<h3>Findings</h3><table class="findings"><thead><tr><th>Location</th><th>Rule</th>'
        "<th>Message</th><th>Status</th><th>Fix</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _errors_table(errors: Sequence[FileError], cwd: Path | None) -> str:
    if not errors:
        return ""
    ordered = sorted(errors, key=lambda e: (display_path(e.path, cwd), e.kind.value, e.message))
    rows = "".join(
        f"<tr><td><code>{_e(display_path(error.path, cwd))}</code></td>"
        f"<td>{_e(error.kind.value)}</td><td><code>{_e(error.rule_id or '')}</code></td>"
        f'<td class="msg">{_e(error.message)}</td></tr>'
        for error in ordered
    )
    return (
        '<h3>Errors and skipped files</h3><table class="errors"><thead><tr><th>File</th>'
        "<th>Kind</th><th>Rule</th><th>Reason</th></tr></thead><tbody>"
        f"{rows}</tbody></table>"
    )


def _change_anchors(index: int, result: Result, cwd: Path | None) -> dict[str, str]:
    """Anchor ids of a section's file diffs, keyed by display path.

    Ids come from positions, never from paths, so nothing user-controlled lands in an id.
    """
    shown = sorted(display_path(change.path, cwd) for change in result.changes)
    return {path: f"s{index}-f{n}" for n, path in enumerate(shown, 1)}


def _section_summary_block(
    index: int, section: ReportSection, rules: Mapping[str, RuleInfo]
) -> str:
    return (
        f'<section class="summary" id="s{index}-summary"><h2>{_e(section.name)}</h2>'
        f"{_section_summary(section.result, rules)}"
        f'<p><a href="#s{index}">Details</a></p></section>'
    )


def _section_details(
    index: int, section: ReportSection, rules: Mapping[str, RuleInfo], cwd: Path | None
) -> str:
    result = section.result
    anchors = _change_anchors(index, result, cwd)
    changes = sorted(result.changes, key=lambda c: display_path(c.path, cwd))
    parts = [
        f'<section class="service" id="s{index}"><h2>{_e(section.name)}: details</h2>',
        _findings_table(_sorted_findings(result.findings, cwd), anchors, cwd),
        _errors_table(result.errors, cwd),
    ]
    if changes:
        parts.append("<h3>Changes</h3>")
        parts.extend(
            _file_diff(change, anchors[display_path(change.path, cwd)], cwd) for change in changes
        )
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def render_html(
    sections: Sequence[ReportSection],
    rules: Mapping[str, RuleInfo],
    *,
    title: str = "archfix report",
    cwd: Path | None = None,
) -> str:
    """The whole report as one self-contained HTML document.

    Output is deterministic for the same input (findings, errors and files are sorted; no
    timestamps), so reports can be diffed and snapshot-tested.
    """
    results = [section.result for section in sections]
    body = [
        f"<header><h1>{_e(title)}</h1>{_totals(results)}</header>",
        *(_section_summary_block(n, section, rules) for n, section in enumerate(sections, 1)),
        _rules_block(_involved_rules(results), rules),
        *(_section_details(n, section, rules, cwd) for n, section in enumerate(sections, 1)),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body></html>\n"
    )
