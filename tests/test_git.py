"""--apply --branch: one branch per repository, one commit per service, nothing half-made."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from monorepo import (
    add_broken,
    add_clean,
    commit_all,
    git,
    init_repo,
    make_monorepo,
    services,
    tree_state,
)

from archfix.batch import BatchOptions, Service, run_batch
from archfix.cli import main
from archfix.codemods.base import FixPolicy
from archfix.git import GitError, Unit, apply_on_branch
from archfix.runner import Overrides

BRANCH = "archfix/fixes"


def run(args: list[str]) -> object:
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def mono(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_monorepo(tmp_path / "mono")
    monkeypatch.chdir(root)
    return root


def commits_on(repo: Path, branch: str, base: str = "main") -> list[str]:
    return git(repo, "rev-list", "--reverse", f"{base}..{branch}").split()


def files_of(repo: Path, sha: str) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", sha).split()


def test_apply_on_branch_one_commit_per_changed_service(mono: Path) -> None:
    before = tree_state(mono)
    main_head = git(mono, "rev-parse", "HEAD")
    result = run(["batch", *services(mono), "--apply", "--branch", BRANCH, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    # Back on the original branch, which is untouched.
    assert git(mono, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(mono, "rev-parse", "HEAD") == main_head
    assert git(mono, "status", "--porcelain") == ""
    commits = commits_on(mono, BRANCH)
    assert len(commits) == 2
    touched = [files_of(mono, sha) for sha in commits]
    assert all(f.startswith("services/alpha/") for f in touched[0])
    assert all(f.startswith("services/beta/") for f in touched[1])
    assert not any(f.startswith("services/clean/") for files in touched for f in files)
    message = git(mono, "log", "-1", "--format=%B", commits[0])
    assert "services/alpha" in message.splitlines()[0]
    assert "Rules applied:" in message and "- duplicate-middleware" in message
    assert "Files touched:" in message and "- services/alpha/app/main.py" in message
    # The main checkout is exactly as before except for the new branch.
    assert tree_state(mono) != before  # the branch list changed...
    git(mono, "branch", "-D", BRANCH)
    assert tree_state(mono) == before  # ...and nothing else did.


def test_rerun_on_the_branch_prints_no_diff(mono: Path) -> None:
    assert run(["batch", *services(mono), "--apply", "--branch", BRANCH]).exit_code == 0
    git(mono, "checkout", "-q", BRANCH)
    result = run(["batch", *services(mono)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_stay_leaves_the_branch_checked_out(mono: Path) -> None:
    result = run(["fix", "services/alpha", "--apply", "--branch", BRANCH, "--stay"])
    assert result.exit_code == 0, result.output
    assert git(mono, "symbolic-ref", "--short", "HEAD").strip() == BRANCH
    assert len(commits_on(mono, BRANCH)) == 1
    assert git(mono, "status", "--porcelain") == ""


@pytest.mark.parametrize("command", ["batch", "fix"])
def test_dirty_tree_is_refused_and_nothing_changes(mono: Path, command: str) -> None:
    target = mono / "services" / "clean" / "app" / "main.py"
    target.write_text(target.read_text() + "# local edit\n")
    before = tree_state(mono)
    paths = services(mono) if command == "batch" else ["services/alpha"]
    result = run([command, *paths, "--apply", "--branch", BRANCH])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "uncommitted" in result.stderr
    assert tree_state(mono) == before


@pytest.mark.parametrize("command", ["batch", "fix"])
def test_existing_branch_is_refused_and_nothing_changes(mono: Path, command: str) -> None:
    git(mono, "branch", BRANCH)
    before = tree_state(mono)
    paths = services(mono) if command == "batch" else ["services/alpha"]
    result = run([command, *paths, "--apply", "--branch", BRANCH])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "already exists" in result.stderr
    assert tree_state(mono) == before


def test_branch_outside_a_repository_is_refused(tmp_path: Path, monkeypatch) -> None:
    add_broken(tmp_path / "svc")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run(["batch", "svc", "--apply", "--branch", BRANCH])
    assert result.exit_code == 2
    assert "not inside" in result.stderr
    assert (tmp_path / "svc" / "app" / "main.py").read_text() == (
        Path(__file__).resolve().parent.parent / "examples/broken_backend/app/main.py"
    ).read_text()


@pytest.mark.parametrize(
    "args", [["--branch", BRANCH], ["--apply", "--stay"], ["--apply", "--branch", "bad..name"]]
)
def test_branch_flag_misuse(mono: Path, args: list[str]) -> None:
    before = tree_state(mono)
    result = run(["batch", "services/alpha", *args])
    assert result.exit_code == 2
    assert tree_state(mono) == before


def test_separate_repositories_each_get_a_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No committer identity anywhere: archfix falls back to its own for the commits.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "nogit"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, branch in (("one", "main"), ("two", "trunk")):
        repo = tmp_path / name
        add_broken(repo)
        init_repo(repo, branch)
        git(repo, "config", "--unset", "user.name")
        git(repo, "config", "--unset", "user.email")
        git(repo, "-c", "user.name=T", "-c", "user.email=t@x", "add", "-A")
        git(repo, "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "init")
    monkeypatch.chdir(tmp_path)
    result = run(["batch", "one", "two", "--apply", "--branch", BRANCH])
    assert result.exit_code == 0, result.output
    for name, branch in (("one", "main"), ("two", "trunk")):
        repo = tmp_path / name
        assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == branch
        commits = commits_on(repo, BRANCH, branch)
        assert len(commits) == 1
        assert git(repo, "log", "-1", "--format=%an <%ae>", commits[0]).strip() == (
            "archfix <archfix@localhost>"
        )


def test_failure_midway_restores_everything(mono: Path) -> None:
    outcomes = run_batch(
        [Service(mono / "services" / "alpha"), Service(mono / "services" / "beta")],
        Overrides(),
        BatchOptions(policy=FixPolicy(apply=True)),
    )
    alpha, beta = (o.result for o in outcomes)
    assert alpha.changes and beta.changes
    # beta's first file "changed on disk since it was read": the writer refuses it, after alpha
    # has been committed on the branch.
    first = beta.changes[0]
    beta.changes[0] = replace(first, meta=replace(first.meta, digest="0" * 64))
    before = tree_state(mono)
    with pytest.raises(GitError, match="nothing was changed"):
        apply_on_branch([Unit("alpha", alpha), Unit("beta", beta)], BRANCH)
    assert tree_state(mono) == before
    assert git(mono, "branch", "--list", BRANCH) == ""


def test_created_files_are_removed_on_failure(tmp_path: Path) -> None:
    from archfix.models import FileChange, Result

    repo = tmp_path / "r"
    init_repo(repo)
    add_clean(repo)
    commit_all(repo)
    before = tree_state(repo)
    new = repo / "app" / "new_module.py"
    clash = repo / "app" / "main.py"
    result = Result(
        root=repo,
        changes=[
            FileChange(new, None, "x = 1\n", ["test"]),
            FileChange(clash, None, "y = 2\n", ["test"]),  # "created" over an existing file
        ],
    )
    with pytest.raises(GitError):
        apply_on_branch([Unit("r", result)], BRANCH)
    assert not new.exists()
    assert tree_state(repo) == before
