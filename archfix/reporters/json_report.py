"""JSON output with a stable, versioned schema, for CI and for merging batch results.

Schema (``"schema": 1``)::

    {"schema": 1, "tool": "archfix", "version": "...", "root": "<display path>",
     "findings": [{"rule": id, "path": p, "line": n, "col": n, "message": s,
                   "fix": "safe|unsafe|none", "applied": bool}],
     "changes": [{"path": p, "rules": [id...], "created": bool, "deleted": bool, "diff": unified diff}],
     "errors": [{"path": p, "kind": k, "message": s, "rule": id|null}],
     "summary": {"files_scanned": n, "files_changed": n, "findings": n, "fixes_applied": n, "errors": n}}

Several results (one per project or service) are ``{"schema": 1, "results": [<result>...]}``. A batch
(``archfix batch --format json``) always uses that form, and each result also has ``"name"`` (the
service's label), ``"status"`` (``clean``, ``findings``, ``changes``, ``errors`` or ``failed``) and,
for a service that could not run, ``"failure"`` (one line). These keys are additions: readers of
schema 1 may ignore them.

Paths are shown as everywhere else: relative to the current directory when inside it.
``result_from_dict`` reads a result back (``archfix report merge``); a change's old and new texts are
rebuilt from its diff, so they hold the changed lines and their context at their real line numbers
(enough for the report's side-by-side view), with blank filler lines elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from archfix import __version__
from archfix.models import ErrorKind, FileChange, FileError, Finding, Fix, Result
from archfix.paths import display_path
from archfix.reporters.diff import NO_NEWLINE_MARKER, split_lines, unified_diff

SCHEMA_VERSION = 1


def result_to_dict(
    result: Result, cwd: Path | None = None, name: str | None = None
) -> dict[str, Any]:
    """One result in the schema above."""
    return {
        "schema": SCHEMA_VERSION,
        "tool": "archfix",
        "version": __version__,
        "name": name or result.root.name,
        "root": display_path(result.root, cwd),
        "rules": list(result.rules),
        "findings": [
            {
                "rule": f.rule_id,
                "path": display_path(f.path, cwd),
                "line": f.line,
                "col": f.col,
                "message": f.message,
                "fix": f.fix.value,
                "applied": f.applied,
            }
            for f in result.findings
        ],
        "changes": [
            {
                "path": display_path(c.path, cwd),
                "rules": list(c.rules),
                "created": c.created,
                "deleted": c.deleted,
                "diff": unified_diff(c, cwd=cwd),
            }
            for c in result.changes
        ],
        "errors": [
            {
                "path": display_path(e.path, cwd),
                "kind": e.kind.value,
                "message": e.message,
                "rule": e.rule_id,
            }
            for e in result.errors
        ],
        "summary": {
            "files_scanned": result.files_scanned,
            "files_changed": len(result.changes),
            "findings": len(result.findings),
            "fixes_applied": len(result.applied),
            "errors": len(result.errors),
        },
    }


def render_json(results: Sequence[Result], cwd: Path | None = None) -> str:
    """One result as an object; several (one per project or service) as ``{"results": [...]}``."""
    dicts = [result_to_dict(r, cwd) for r in results]
    payload: Any = dicts[0] if len(dicts) == 1 else {"schema": SCHEMA_VERSION, "results": dicts}
    return json.dumps(payload, indent=2, sort_keys=False)


def render_batch_json(
    entries: Sequence[tuple[Result, str, Mapping[str, Any]]], cwd: Path | None = None
) -> str:
    """A batch: ``{"schema": 1, "results": [...]}`` with each service's name and extra keys."""
    dicts = [{**result_to_dict(r, cwd, name), **extra} for r, name, extra in entries]
    return json.dumps({"schema": SCHEMA_VERSION, "results": dicts}, indent=2, sort_keys=False)


class SchemaError(ValueError):
    """A JSON document that is not an archfix result (one line)."""


def _texts_from_diff(diff: str, created: bool, deleted: bool) -> tuple[str | None, str | None]:
    """Old and new texts rebuilt from a unified diff: the hunks' lines at their line numbers."""
    old: list[str] = []
    new: list[str] = []
    last: list[list[str]] = []
    for line in split_lines(diff):
        if line.startswith("@@"):
            try:
                old_part, new_part = line.split(" ")[1:3]
                old_start = int(old_part[1:].split(",")[0])
                new_start = int(new_part[1:].split(",")[0])
            except (ValueError, IndexError):
                raise SchemaError(f"bad hunk header in a change's diff: {line.strip()!r}") from None
            # Unchanged lines between hunks are not in the diff: blank filler keeps numbering.
            old.extend(["\n"] * max(0, old_start - 1 - len(old)))
            new.extend(["\n"] * max(0, new_start - 1 - len(new)))
        elif line.rstrip("\r\n") == NO_NEWLINE_MARKER:
            for side in last:
                if side:
                    side[-1] = side[-1][:-1] if side[-1].endswith("\n") else side[-1]
        elif line.startswith(("--- ", "+++ ", "diff --git", "new file", "deleted file")):
            continue
        elif line[:1] == " ":
            old.append(line[1:])
            new.append(line[1:])
            last = [old, new]
        elif line[:1] == "-":
            old.append(line[1:])
            last = [old]
        elif line[:1] == "+":
            new.append(line[1:])
            last = [new]
    return (None if created else "".join(old)), (None if deleted else "".join(new))


def _require(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise SchemaError(f"result key {key!r} is missing or has the wrong type")
    return value


def result_from_dict(data: Mapping[str, Any]) -> Result:
    """The inverse of ``result_to_dict`` (paths stay as they were written: display paths)."""
    if data.get("schema") != SCHEMA_VERSION or data.get("tool") != "archfix":
        raise SchemaError(f"not an archfix schema {SCHEMA_VERSION} result")
    try:
        findings = [
            Finding(
                f["rule"],
                Path(f["path"]),
                int(f["line"]),
                int(f["col"]),
                f["message"],
                Fix(f.get("fix", "none")),
                bool(f.get("applied", False)),
            )
            for f in _require(data, "findings", list)
        ]
        changes = []
        for c in _require(data, "changes", list):
            old, new = _texts_from_diff(c.get("diff", ""), bool(c["created"]), bool(c["deleted"]))
            changes.append(FileChange(Path(c["path"]), old, new, list(c.get("rules", []))))
        errors = [
            FileError(Path(e["path"]), ErrorKind(e["kind"]), e["message"], e.get("rule"))
            for e in _require(data, "errors", list)
        ]
        summary = data.get("summary", {})
        return Result(
            root=Path(_require(data, "root", str)),
            findings=findings,
            changes=changes,
            errors=errors,
            files_scanned=int(summary.get("files_scanned", 0)),
            files_parsed=int(summary.get("files_scanned", 0)),
            rules=list(data.get("rules", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SchemaError):
            raise
        raise SchemaError(f"malformed result: {type(exc).__name__}: {exc}") from None


def load_results(text: str) -> list[tuple[Result, str, dict[str, Any]]]:
    """Every result in one JSON document (a single result or ``{"results": [...]}``), with its
    name and batch extras (``status``, ``failure``)."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise SchemaError("not an archfix JSON result")
    items = payload.get("results") if "results" in payload else [payload]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SchemaError("'results' must be a list of result objects")
    out = []
    for item in items:
        result = result_from_dict(item)
        extra = {k: item[k] for k in ("status", "failure") if k in item}
        out.append((result, str(item.get("name") or result.root.name), extra))
    return out
