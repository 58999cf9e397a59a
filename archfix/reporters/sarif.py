"""SARIF 2.1.0 output, so code-scanning UIs (GitHub code scanning, Azure DevOps, VS Code's SARIF
viewer) show archfix findings next to the code.

One ``run`` per project or service. Each run's ``tool.driver.rules`` lists the rules that ran (and
any rule a finding names), with their title, documentation and fixability; each result points at
its rule by ``ruleId`` and ``ruleIndex``. Locations are relative to the service root
(``uriBaseId: "SRCROOT"``) and the run's ``originalUriBaseIds`` says where that root is: relative
to the current directory (``uriBaseId: "CWD"``) when the service is inside it, which is what
GitHub's upload resolves against the repository, else an absolute ``file:`` URI.

GitHub code scanning ignores ``originalUriBaseIds`` (github/codeql-action#2215) and reads every
relative URI as relative to the repository root. For services inside a monorepo, render with
``paths="cwd"`` (``--sarif-paths cwd``) from the repository root: URIs are then relative to the
current directory (``uriBaseId: "CWD"``), which GitHub resolves correctly.

Files that were skipped or fixes that were dropped are reported as the invocation's
``toolExecutionNotifications`` rather than as results: they are facts about the run, not defects
in the code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archfix import __version__
from archfix.models import FileError, Finding, Result, RuleInfo

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/archfix/archfix"
ROOT_ID = "SRCROOT"
CWD_ID = "CWD"


def _uri(relative: str) -> str:
    """A relative path as a URI reference (percent-encoded, '/' separators)."""
    return quote(relative.replace(os.sep, "/"), safe="/")


def _relative_uri(path: Path, root: Path, base_id: str = ROOT_ID) -> tuple[str, str | None]:
    """(uri, uriBaseId): relative to the root when inside it, else an absolute file URI."""
    absolute = Path(os.path.abspath(path))
    try:
        return _uri(absolute.relative_to(root).as_posix()), base_id
    except ValueError:
        return absolute.as_uri(), None


def _root_location(root: Path, cwd: Path) -> dict[str, Any]:
    try:
        rel = root.relative_to(cwd).as_posix()
    except ValueError:
        return {"uri": root.as_uri() + "/"}
    return {"uri": "" if rel == "." else _uri(rel) + "/", "uriBaseId": CWD_ID}


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def _rule_descriptor(rule_id: str, info: RuleInfo | None) -> dict[str, Any]:
    if info is None:
        return {"id": rule_id, "name": rule_id, "shortDescription": {"text": rule_id}}
    why = info.why.strip() or info.title
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("-")),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": _first_paragraph(why) or info.title},
        "help": {"text": why},
        "properties": {
            "fixable": info.fixable.label,
            "reviewSection": info.section,
            "tags": ["architecture", "fastapi"],
        },
    }


def _location(path: Path, root: tuple[Path, str], line: int, col: int) -> dict[str, Any]:
    uri, base = _relative_uri(path, *root)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": max(1, line), "startColumn": max(1, col)},
        }
    }


def _result(finding: Finding, root: tuple[Path, str], index: int) -> dict[str, Any]:
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": "warning",
        "message": {"text": finding.message},
        "locations": [_location(finding.path, root, finding.line, finding.col)],
        "properties": {"fix": finding.fix.value, "applied": finding.applied},
    }


def _notification(error: FileError, root: tuple[Path, str]) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": "error",
        "message": {"text": f"{error.kind.value}: {error.message}"},
        "locations": [_location(error.path, root, 1, 1)],
    }
    if error.rule_id:
        note["associatedRule"] = {"id": error.rule_id}
    return note


def sarif_run(
    result: Result,
    rules: Mapping[str, RuleInfo],
    *,
    cwd: Path | None = None,
    applied_to_disk: bool = False,
    paths: str = "service",
) -> dict[str, Any]:
    """One SARIF run for one project or service.

    With ``applied_to_disk`` only the findings still in the code are results (the fixed ones are
    gone from the files the locations point at). ``paths`` is ``"service"`` (URIs relative to the
    service root) or ``"cwd"`` (relative to the current directory, for GitHub code scanning).
    """
    root = Path(os.path.abspath(result.root))
    base = Path(os.path.abspath(cwd or Path.cwd()))
    anchor = (base, CWD_ID) if paths == "cwd" else (root, ROOT_ID)
    findings = result.remaining if applied_to_disk else result.findings
    rule_ids = list(result.rules)
    for finding in findings:
        if finding.rule_id not in rule_ids:
            rule_ids.append(finding.rule_id)
    index = {rule_id: n for n, rule_id in enumerate(rule_ids)}
    return {
        "tool": {
            "driver": {
                "name": "archfix",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(r, rules.get(r)) for r in rule_ids],
            }
        },
        "originalUriBaseIds": {
            ROOT_ID: _root_location(root, base),
            CWD_ID: {"uri": base.as_uri() + "/"},
        },
        "invocations": [
            {
                "executionSuccessful": not result.errors,
                "toolExecutionNotifications": [_notification(e, anchor) for e in result.errors],
            }
        ],
        "results": [_result(f, anchor, index[f.rule_id]) for f in findings],
    }


def render_sarif(
    results: Sequence[Result],
    rules: Mapping[str, RuleInfo],
    *,
    cwd: Path | None = None,
    applied_to_disk: bool = False,
    paths: str = "service",
) -> str:
    """The SARIF log (JSON text) for one or more results."""
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            sarif_run(r, rules, cwd=cwd, applied_to_disk=applied_to_disk, paths=paths)
            for r in results
        ],
    }
    return json.dumps(log, indent=2)
