"""The rule registry and its documentation cannot drift: ids, modules, docs and the README agree."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import archfix.codemods as codemods
from archfix.codemods import all_rules
from archfix.codemods.base import FileCodemod, ProjectCodemod
from archfix.models import Fix
from archfix.reporters.rules_table import README_END, README_START, render_rules

REPO = Path(__file__).resolve().parent.parent


def test_ids_are_unique_and_match_modules() -> None:
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule.__module__ == f"archfix.codemods.{rule.id.replace('-', '_')}"
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.id)


def test_every_module_is_a_registered_rule() -> None:
    modules = {
        m.name
        for m in pkgutil.iter_modules(codemods.__path__)
        if not m.name.startswith("_") and m.name != "base"
    }
    assert modules == {r.id.replace("-", "_") for r in all_rules()}


def test_every_rule_is_documented() -> None:
    for rule in all_rules():
        assert issubclass(rule, (FileCodemod, ProjectCodemod))
        info = rule.info()
        assert info.title and not info.title.endswith("."), rule.id
        assert info.section, rule.id
        assert isinstance(rule.fixable, Fix)
        assert len(info.why.split()) >= 20, f"{rule.id}: the module docstring must explain the rule"
        assert "Example" in info.why, f"{rule.id}: the docs need an Example"


def test_readme_rules_table_is_current() -> None:
    readme = (REPO / "README.md").read_text()
    start, end = readme.index(README_START), readme.index(README_END)
    table = readme[start + len(README_START) : end].strip()
    expected = render_rules([r.info() for r in all_rules()], "markdown")
    assert table == expected, "README rules table is stale: run `archfix rules --format markdown`"


def test_rules_command_lists_every_rule() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "archfix", "rules"], capture_output=True, text=True, check=True
    )
    for rule in all_rules():
        assert rule.id in out.stdout
