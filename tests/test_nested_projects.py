"""A folder holding several projects (a monorepo's services) runs each project on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monorepo import add_broken, add_clean, init_repo

from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions
from archfix.runner import Overrides, run_paths

SELECT = "cors-wildcard,pool-settings,competing-db-modules,misplaced-import"
OPTIONS = RunOptions(policy=FixPolicy(apply=True), jobs=1, cache=False)


def _findings(results: list) -> list[tuple[str, str, int]]:
    return sorted((str(f.path), f.rule_id, f.line) for result in results for f in result.findings)


def _changes(results: list) -> dict[str, str | None]:
    return {str(c.path): c.new_text for result in results for c in result.changes}


def _monorepo(root: Path) -> Path:
    add_broken(root / "services" / "alpha")
    add_broken(root / "services" / "beta")
    add_clean(root / "services" / "clean")
    return root


def test_services_under_a_folder_are_separate_projects(tmp_path: Path) -> None:
    root = _monorepo(tmp_path / "mono")
    services = sorted((root / "services").iterdir())
    whole = run_paths([root], Overrides(), OPTIONS)
    alone = run_paths(services, Overrides(), OPTIONS)
    assert [r.root for r in whole] == [root, *services]
    assert whole[0].files_scanned == 0  # the monorepo folder itself has no Python files
    assert _findings(whole) == _findings(alone) and _findings(alone)
    assert _changes(whole) == _changes(alone) and _changes(alone)
    # Both broken services define app.database etc.: one project would mix their modules.
    messages = [f.message for r in whole for f in r.findings if f.rule_id == "competing-db-modules"]
    assert messages and all("services/" not in m for m in messages)


def test_nested_project_keeps_its_own_config(tmp_path: Path) -> None:
    root = _monorepo(tmp_path / "mono")
    alpha = root / "services" / "alpha" / "pyproject.toml"
    alpha.write_text(alpha.read_text() + '\n[tool.archfix]\nignore = ["cors-wildcard"]\n')
    results = run_paths([root], Overrides(select=("cors-wildcard", "pool-settings")), OPTIONS)
    by_root = {r.root.name: {f.rule_id for f in r.findings} for r in results}
    assert "cors-wildcard" not in by_root["alpha"]
    assert "cors-wildcard" in by_root["beta"]


def test_nested_git_repository_and_ignored_folders(tmp_path: Path) -> None:
    root = tmp_path / "mono"
    init_repo(root)
    add_clean(root / "services" / "kept")
    sub = root / "vendor" / "lib"
    init_repo(sub)  # a nested repository (no pyproject.toml) is a project of its own
    (sub / "mod.py").write_text("x = 1\n")
    add_clean(root / "ignored" / "svc")
    (root / ".gitignore").write_text("ignored/\n")
    (root / "tool.py").write_text("y = 2\n")
    results = run_paths([root], Overrides(), OPTIONS)
    assert [r.root for r in results] == [root, root / "services" / "kept", sub]
    assert results[0].files_scanned == 1  # tool.py only: the nested projects are not its files


def test_cli_check_over_monorepo_folder_equals_per_service_runs(tmp_path: Path) -> None:
    root = _monorepo(tmp_path / "mono")

    def check(*paths: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "archfix", "check", "--no-cache", "--select", SELECT, *paths],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1, proc.stderr
        return proc.stdout

    assert check(".") == check("services/alpha", "services/beta", "services/clean")
