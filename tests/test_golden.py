"""Every golden case, run through the engine with only its rule selected.

For each case: the applied result equals the expected tree (or the input, for must-not-change cases);
every output file parses; a second run changes nothing (idempotence); ``check`` reports a fixable
finding exactly when the case expects a change; a ``findings.txt`` pins the reported findings.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from golden_cases import (
    UPDATE,
    GoldenCase,
    all_cases,
    apply_rule,
    assert_parses,
    expected_files,
    findings_lines,
    materialise,
    run_rule,
    tree_files,
    update_expected,
)

CASES = all_cases()


def _tree_diff(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    out = []
    for rel in sorted(set(expected) | set(actual)):
        a = expected.get(rel, b"").decode("utf-8", "replace").splitlines(keepends=True)
        b = actual.get(rel, b"").decode("utf-8", "replace").splitlines(keepends=True)
        if a != b or (rel in expected) != (rel in actual):
            out.extend(difflib.unified_diff(a, b, f"expected/{rel}", f"actual/{rel}"))
    return "".join(out)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_golden_case(case: GoldenCase, tmp_path: Path) -> None:
    root = materialise(case, tmp_path / "project")
    checked = run_rule(root, case.rule_id, apply=False, unsafe=case.unsafe)
    assert not checked.changes, "check must not produce changes"
    assert not checked.errors, checked.errors

    apply_rule(root, case.rule_id, case.unsafe)
    if UPDATE:
        update_expected(case, root)
    actual = tree_files(root)
    expected = expected_files(case)
    assert actual == expected, "golden mismatch:\n" + _tree_diff(expected, actual)
    assert_parses(root)

    fixable = [
        f
        for f in checked.findings
        if f.fix.value == "safe" or (case.unsafe and f.fix.value == "unsafe")
    ]
    if case.must_not_change:
        assert not fixable, f"a must-not-change case reported fixable findings: {fixable}"
    else:
        assert fixable, "the case expects a change, but check reported no fixable finding"

    pinned = case.folder / "findings.txt"
    if pinned.is_file():
        want = sorted(line.strip() for line in pinned.read_text().splitlines() if line.strip())
        assert findings_lines(checked, root) == want

    second = run_rule(root, case.rule_id, apply=True, unsafe=case.unsafe)
    assert not second.changes, "a second run must change nothing (idempotence)"


def test_every_rule_has_changing_and_unchanging_cases() -> None:
    from archfix.codemods import all_rules

    for rule in all_rules():
        cases = [c for c in CASES if c.rule_id == rule.id]
        assert any(c.must_not_change for c in cases), f"{rule.id}: no must-not-change golden case"
        if rule.fixable.value != "none":
            assert any(not c.must_not_change for c in cases), f"{rule.id}: no changing golden case"
        else:
            assert cases, f"{rule.id}: no golden case"


def test_golden_folders_are_rule_ids() -> None:
    from archfix.codemods import rules_by_id

    known = set(rules_by_id())
    for folder in {c.rule_id for c in CASES}:
        assert folder in known, f"golden/{folder} does not match any rule id"
