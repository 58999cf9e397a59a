"""Discovery and execution of golden cases (``golden/<rule-id>/<case>/``), shared by the tests.

A case is either ``input.py`` (+ optional ``expected.py``) or an ``input/`` tree (+ optional
``expected/`` tree). No expected file or tree means: must not change. An optional
``findings.txt`` pins the findings ``check`` must report, one ``path:line: rule-id`` per line.
An optional ``case.toml`` may set ``unsafe-fixes = true``.
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, run
from archfix.models import Result
from archfix.runner import Overrides, config_for
from archfix.writer import write_changes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("ARCHFIX_UPDATE_GOLDEN") == "1"


@dataclass(frozen=True)
class GoldenCase:
    rule_id: str
    name: str
    folder: Path

    @property
    def is_tree(self) -> bool:
        return (self.folder / "input").is_dir()

    @property
    def expected_path(self) -> Path:
        return self.folder / ("expected" if self.is_tree else "expected.py")

    @property
    def must_not_change(self) -> bool:
        return not self.expected_path.exists()

    @property
    def unsafe(self) -> bool:
        toml = self.folder / "case.toml"
        return toml.is_file() and bool(tomllib.loads(toml.read_text()).get("unsafe-fixes", False))

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.name}"


def all_cases() -> list[GoldenCase]:
    cases = []
    for rule_dir in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        for case_dir in sorted(p for p in rule_dir.iterdir() if p.is_dir()):
            cases.append(GoldenCase(rule_dir.name, case_dir.name, case_dir))
    return cases


def materialise(case: GoldenCase, dest: Path) -> Path:
    """Copy the case's input into ``dest`` (a project root of its own) and return that root."""
    dest.mkdir(parents=True, exist_ok=True)
    if case.is_tree:
        shutil.copytree(case.folder / "input", dest, dirs_exist_ok=True)
    else:
        shutil.copy2(case.folder / "input.py", dest / "input.py")
    if not (dest / "pyproject.toml").exists():
        # Mark the root so discovery does not walk above the temp dir.
        (dest / ".git").mkdir()
    return dest


def run_rule(root: Path, rule_id: str, *, apply: bool, unsafe: bool) -> Result:
    config = config_for(root, Overrides(select=(rule_id,)))
    return run(root, [root], config, RunOptions(policy=FixPolicy(apply=apply, unsafe=unsafe)))


def apply_rule(root: Path, rule_id: str, unsafe: bool) -> Result:
    result = run_rule(root, rule_id, apply=True, unsafe=unsafe)
    report = write_changes(result.changes, root)
    assert not report.errors, report.errors
    return result


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under root (relative posix path -> bytes), ignoring the .git marker."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and "__pycache__" not in p.parts
    }


def expected_files(case: GoldenCase) -> dict[str, bytes]:
    if case.must_not_change:
        source = case.folder / ("input" if case.is_tree else "input.py")
    else:
        source = case.expected_path
    if case.is_tree:
        return tree_files(source)
    return {"input.py": source.read_bytes()}


def assert_parses(root: Path) -> None:
    for rel, data in tree_files(root).items():
        if rel.endswith(".py"):
            ast.parse(data, filename=rel)


def findings_lines(result: Result, root: Path) -> list[str]:
    return sorted(
        f"{f.path.relative_to(root).as_posix()}:{f.line}: {f.rule_id}" for f in result.findings
    )


def update_expected(case: GoldenCase, root: Path) -> None:
    """Rewrite the case's expected output from what archfix produced (for review in git)."""
    produced = tree_files(root)
    original = (
        expected_files(GoldenCase(case.rule_id, case.name, case.folder))
        if case.must_not_change
        else None
    )
    if original == produced:
        return
    if case.is_tree:
        target = case.folder / "expected"
        shutil.rmtree(target, ignore_errors=True)
        for rel, data in produced.items():
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
    else:
        (case.folder / "expected.py").write_bytes(produced["input.py"])
