"""JSON output with a stable, versioned schema, for CI and for merging batch results.

Schema (``"schema": 1``)::

    {"schema": 1, "tool": "archfix", "version": "...", "root": "<display path>",
     "findings": [{"rule": id, "path": p, "line": n, "col": n, "message": s,
                   "fix": "safe|unsafe|none", "applied": bool}],
     "changes": [{"path": p, "rules": [id...], "created": bool, "deleted": bool, "diff": unified diff}],
     "errors": [{"path": p, "kind": k, "message": s, "rule": id|null}],
     "summary": {"files_scanned": n, "files_changed": n, "findings": n, "fixes_applied": n, "errors": n}}

Paths are shown as everywhere else: relative to the current directory when inside it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archfix import __version__
from archfix.models import Result
from archfix.paths import display_path
from archfix.reporters.diff import unified_diff

SCHEMA_VERSION = 1


def result_to_dict(
    result: Result, cwd: Path | None = None, name: str | None = None
) -> dict[str, Any]:
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
