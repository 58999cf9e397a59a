"""Real code nobody here wrote: every rule, safe and unsafe, must leave correct library code alone.

Copies the installed fastapi, starlette, pydantic, sqlalchemy and click packages and the Python
standard library into a temp dir (one project root each), then runs ``archfix check`` and a dry-run
``archfix fix --unsafe-fixes`` over them with every registered rule, in one subprocess each. Asserts:
no crash or traceback, no rule crash, no skipped file that Python itself can compile (allowed skips:
the documented max-file-size limit, files ``compile()`` rejects too, and libcst's own limits: files
it cannot parse or nests too deeply; each is printed), no diff at all, and findings only from rules
whose ``fixable`` is NONE (findings by nature, like import cycles). Prints files, lines, findings per
rule, diffs and crashes.

The stdlib's ``test``/``tests``/``idle_test`` folders are left out to fit the CI budget (about 2,500
more files, mostly test data); ``site-packages`` is not the stdlib. Marked ``slow``: skip locally
with ``-m 'not slow'``; CI runs it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import warnings
from collections import Counter
from pathlib import Path

import pytest

from archfix.codemods import all_rules
from archfix.discovery import DEFAULT_EXCLUDED_DIRS
from archfix.models import Fix

pytestmark = pytest.mark.slow

PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "click")
SKIPPED_STDLIB_DIRS = ("test", "tests", "idle_test", "site-packages", "__pycache__")

KNOWN_ISSUES: dict[str, str] = {}
"""rule id -> why it still misbehaves on the corpus. Each entry is a bug to fix (with a golden case);
the test fails when a listed rule no longer misbehaves, so the list can only shrink."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("corpus")
    roots = []
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyd")
    for name in PACKAGES:
        root = base / name
        shutil.copytree(_package_dir(name), root / name, ignore=ignore, symlinks=True)
        (root / ".git").mkdir()
        roots.append(root)
    stdlib = base / "stdlib"
    shutil.copytree(
        sysconfig.get_paths()["stdlib"],
        stdlib,
        ignore=shutil.ignore_patterns(*SKIPPED_STDLIB_DIRS, "*.pyc", "*.so"),
        symlinks=True,
    )
    (stdlib / ".git").mkdir()
    roots.append(stdlib)
    return roots


def _archfix(args: list[str], cwd: Path) -> tuple[dict, str, float]:
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
        "ARCHFIX_CACHE_DIR": str(cwd / ".archfix-cache"),  # an honest, uncached run
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "archfix", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr[-5000:]
    assert proc.returncode in (0, 1), f"exit {proc.returncode}: {proc.stderr[-3000:]}"
    return json.loads(proc.stdout), proc.stderr, elapsed


def _results(data: dict) -> list[dict]:
    return data.get("results", [data])


def _compiles(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _allowed_skip(error: dict, cwd: Path) -> str | None:
    """Why a skip is acceptable, or None when it hides a file archfix should have handled."""
    path = cwd / error["path"]
    if error["kind"] == "too-large":
        return "over max-file-size"
    if error["kind"] == "parse" and not _compiles(path):
        return "compile() rejects it too"
    if error["kind"] in ("parse", "roundtrip", "rule-crash") and "libcst" in error["message"]:
        return "a libcst limit"
    return None


def _lines(roots: list[Path]) -> tuple[int, int]:
    files = lines = 0
    for root in roots:
        for path in root.rglob("*.py"):
            rel = path.relative_to(root).parts
            if any(p in DEFAULT_EXCLUDED_DIRS or p.endswith(".egg-info") for p in rel[:-1]):
                continue
            files += 1
            lines += path.read_bytes().count(b"\n")
    return files, lines


def test_corpus_no_crash_no_skip_no_diff(
    corpus: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = corpus[0].parent
    names = [root.name for root in corpus]
    jobs = str(min(2, os.cpu_count() or 1))
    rules = all_rules()
    by_id = {r.id: r for r in rules}

    checked, _, check_time = _archfix(["check", "-j", jobs, "--format", "json", *names], base)
    fixed, _, fix_time = _archfix(
        ["fix", "--unsafe-fixes", "-j", jobs, "--format", "json", *names], base
    )

    files, lines = _lines(corpus)
    findings: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    skips: list[str] = []
    diffs = crashes = 0

    def problem(rule: str | None, text: str) -> None:
        problems.setdefault(rule or "(engine)", []).append(text)

    for data in (checked, fixed):
        for result in _results(data):
            for error in result["errors"]:
                where = f"{error['path']}: {error['kind']}: {error['message']}"
                if error["kind"] == "rule-crash" and "libcst" not in error["message"]:
                    crashes += 1
                    problem(error["rule"], "crash: " + where)
                    continue
                why = _allowed_skip(error, base)
                if why is None:
                    problem(error["rule"], "skip: " + where)
                elif data is checked:
                    skips.append(f"{where}  [{why}]")
    for result in _results(checked):
        for finding in result["findings"]:
            findings[finding["rule"]] += 1
            rule = by_id[finding["rule"]]
            if rule.fixable is not Fix.NONE:
                problem(
                    rule.id,
                    f"finding from a fixable rule on correct code: {finding['path']}:"
                    f"{finding['line']}: {finding['message']}",
                )
    for result in _results(fixed):
        for change in result["changes"]:
            diffs += 1
            for rid in change["rules"] or ["(engine)"]:
                problem(rid, "diff:\n" + change["diff"][:3000])

    with capsys.disabled():  # the numbers belong in CI's log even when the test passes
        _report(
            corpus,
            names,
            files,
            lines,
            rules,
            check_time,
            fix_time,
            jobs,
            findings,
            diffs,
            crashes,
            skips,
            problems,
        )
    unexpected = {rid: t for rid, t in problems.items() if rid not in KNOWN_ISSUES}
    assert not unexpected, "\n\n".join(
        f"{rid}: {len(t)} problems, e.g.\n" + "\n".join(t[:3]) for rid, t in unexpected.items()
    )
    fixed_now = [rid for rid in KNOWN_ISSUES if rid in by_id and rid not in problems]
    assert not fixed_now, f"remove from KNOWN_ISSUES (they pass now): {fixed_now}"


def _report(
    corpus,
    names,
    files,
    lines,
    rules,
    check_time,
    fix_time,
    jobs,
    findings,
    diffs,
    crashes,
    skips,
    problems,
):  # type: ignore[no-untyped-def]
    """Print the corpus numbers (files, lines, findings per rule, diffs, crashes, skips)."""
    print(
        f"\narchfix corpus: {len(corpus)} projects ({', '.join(names)}; stdlib without its tests)"
    )
    print(f"files={files} lines={lines} rules={len(rules)}")
    print(f"check {check_time:.0f}s, fix --unsafe-fixes (dry run) {fix_time:.0f}s, jobs={jobs}")
    for rule in rules:
        print(
            f"  findings[{rule.id}] = {findings.get(rule.id, 0)}  (fixable: {rule.fixable.value})"
        )
    print(f"diffs={diffs} crashes={crashes} skipped={len(skips)}")
    for skip in skips:
        print(f"  skipped: {skip}")
    for rid, texts in sorted(problems.items()):
        status = "KNOWN ISSUE" if rid in KNOWN_ISSUES else "PROBLEM"
        print(f"{status} {rid}: {len(texts)} (first: {texts[0][:1500]})")
