"""Fixes as reviewable branches: ``--apply --branch NAME`` with git itself (subprocess).

For each git repository the changed services live in, archfix checks that the work tree is clean
and that NAME does not exist yet (before writing anything), creates NAME from the current HEAD,
writes each service's changes and commits them, one commit per service, with a message listing the
rules applied and the files touched. Services that are separate repositories each get their own
branch NAME; services inside one monorepo share one branch. Afterwards the original branch (or
detached commit) is checked out again, unless ``stay``.

All or nothing: if anything fails (a write refused, a commit hook, git itself), every repository
touched in this run is put back: the original branch is checked out (discarding archfix's own edits,
which is safe because the tree was clean before), files archfix created are removed, and the
half-made branch is deleted.

"Dirty" means modified or staged tracked files (``git status --porcelain --untracked-files=no``).
Untracked files are left alone: archfix commits only the paths it wrote.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archfix.models import Result
from archfix.writer import write_changes

FALLBACK_IDENTITY = ("-c", "user.name=archfix", "-c", "user.email=archfix@localhost")


class GitError(Exception):
    """Why a branch could not be made; one line, and nothing was changed."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Paths are given literally (no glob magic in a file name), and git never waits for a prompt.
    env.update(GIT_LITERAL_PATHSPECS="1", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    return env


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``git -C repo args...``; GitError with git's last error line when it fails."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            env=_env(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if check and proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit status {proc.returncode}"
        raise GitError(f"git {args[0]} failed in {repo}: {reason}")
    return proc


def repo_root(path: Path) -> Path:
    """The top folder of the git work tree holding ``path`` (GitError when there is none)."""
    folder = path if path.is_dir() else path.parent
    proc = git(folder, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise GitError(f"--branch needs a git repository, and {path} is not inside one")
    return Path(proc.stdout.strip()).resolve()


@dataclass
class RepoState:
    """What a repository looked like before archfix touched it."""

    root: Path
    original: str
    """The branch name checked out, or the commit id when HEAD is detached."""
    identity: tuple[str, ...] = ()
    """``-c user.*`` options when the repository has no committer identity configured."""


def _state(root: Path, branch: str) -> RepoState:
    if git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode:
        raise GitError(f"{root}: the repository has no commit yet to branch from")
    status = git(root, "status", "--porcelain", "--untracked-files=no").stdout
    if status.strip():
        count = len(status.splitlines())
        raise GitError(
            f"{root}: the work tree has {count} uncommitted change{'s' if count != 1 else ''}; "
            "commit or stash them first"
        )
    if not git(
        root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False
    ).returncode:
        raise GitError(f"{root}: branch {branch!r} already exists; pick another name or delete it")
    head = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    original = head.stdout.strip() if head.returncode == 0 else ""
    if not original:
        original = git(root, "rev-parse", "HEAD").stdout.strip()
    identity: tuple[str, ...] = ()
    for key in ("user.name", "user.email"):
        if git(root, "config", "--get", key, check=False).returncode:
            identity = FALLBACK_IDENTITY
    return RepoState(root, original, identity)


def check_branch_name(branch: str) -> None:
    """GitError unless ``branch`` is a valid new branch name."""
    proc = git(Path.cwd(), "check-ref-format", "--branch", branch, check=False)
    if proc.returncode != 0 or branch.startswith("-"):
        raise GitError(f"{branch!r} is not a valid branch name")


def preflight(paths: Sequence[Path], branch: str) -> dict[Path, RepoState]:
    """Check every repository the paths live in, before anything is written.

    GitError (one line) when git is missing, a path is outside any repository, a work tree is
    dirty, or the branch exists in one of them.
    """
    check_branch_name(branch)
    states: dict[Path, RepoState] = {}
    for path in paths:
        root = repo_root(Path(os.path.abspath(path)))
        if root not in states:
            states[root] = _state(root, branch)
    return states


@dataclass
class Unit:
    """One service's result, committed as one commit."""

    label: str
    result: Result


@dataclass
class Commit:
    label: str
    sha: str
    files: list[str]


@dataclass
class BranchReport:
    """What was committed where; the CLI prints it."""

    branch: str
    repos: dict[Path, list[Commit]] = field(default_factory=dict)
    stayed: bool = False
    originals: dict[Path, str] = field(default_factory=dict)


def commit_message(label: str, result: Result, files: Sequence[str]) -> str:
    """Subject plus the rules applied (with counts) and the files touched."""
    fixed = Counter(f.rule_id for f in result.applied)
    rules: list[str] = []
    for change in result.changes:
        rules.extend(r for r in change.rules if r not in rules)
    rules.extend(r for r in fixed if r not in rules)
    count = sum(fixed.values())
    subject = f"archfix: fix {count} finding{'s' if count != 1 else ''} in {label}"
    lines = [subject, "", "Rules applied:"]
    for rule in sorted(rules):
        n = fixed.get(rule, 0)
        lines.append(f"- {rule}" + (f" ({n} fix{'es' if n != 1 else ''})" if n else ""))
    lines.extend(["", "Files touched:"])
    lines.extend(f"- {path}" for path in files)
    return "\n".join(lines) + "\n"


def _rel(path: Path, root: Path) -> str:
    """The path as git names it: relative to the (resolved) work-tree root."""
    return Path(os.path.realpath(path)).relative_to(root).as_posix()


def _restore(state: RepoState, branch: str, created: Sequence[Path]) -> None:
    """Put one repository back as it was: original checkout, created files gone, no branch."""
    git(state.root, "checkout", "--quiet", "--force", state.original, check=False)
    for path in created:
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
    git(state.root, "branch", "--quiet", "-D", branch, check=False)


def apply_on_branch(
    units: Sequence[Unit],
    branch: str,
    *,
    stay: bool = False,
    states: dict[Path, RepoState] | None = None,
) -> BranchReport:
    """Write and commit every unit with changes on ``branch``, one commit per unit.

    Repositories without any change get no branch. GitError (one line) on failure, after every
    touched repository has been restored.
    """
    changed = [u for u in units if u.result.changes]
    report = BranchReport(branch, stayed=stay)
    if not changed:
        return report
    # Checked again right before writing: the tree may have changed since the caller's preflight.
    fresh = preflight([u.result.root for u in changed], branch)
    if states is not None:
        for root, state in fresh.items():
            if root in states and states[root].original != state.original:
                raise GitError(f"{root}: the checked-out branch changed while archfix ran")
    by_repo: dict[Path, list[Unit]] = {}
    for unit in changed:
        by_repo.setdefault(repo_root(unit.result.root), []).append(unit)
    touched: list[tuple[RepoState, list[Path]]] = []
    try:
        for root, repo_units in by_repo.items():
            state = fresh[root]
            created: list[Path] = []
            touched.append((state, created))
            git(root, "checkout", "--quiet", "-b", branch)
            commits: list[Commit] = []
            for unit in repo_units:
                changes = unit.result.changes
                # Only files that do not exist yet are ours to remove on failure.
                created.extend(
                    Path(os.path.abspath(c.path))
                    for c in changes
                    if c.created and not os.path.lexists(c.path)
                )
                written = write_changes(changes, unit.result.root)
                if written.errors:
                    first = written.errors[0]
                    raise GitError(
                        f"{unit.label}: could not write {_rel(first.path, root)}: {first.message}"
                    )
                files = sorted(_rel(c.path, root) for c in changes)
                git(root, "add", "--all", "--", *files)
                if not git(root, "diff", "--cached", "--quiet", check=False).returncode:
                    continue  # written bytes equal to HEAD: nothing to commit
                message = commit_message(unit.label, unit.result, files)
                git(root, *state.identity, "commit", "--quiet", "-m", message)
                sha = git(root, "rev-parse", "HEAD").stdout.strip()
                commits.append(Commit(unit.label, sha, files))
            report.repos[root] = commits
            report.originals[root] = state.original
        if not stay:
            for state, _created in touched:
                git(state.root, "checkout", "--quiet", state.original)
    except GitError as exc:
        for state, created in reversed(touched):
            _restore(state, branch, created)
        raise GitError(f"{exc}; nothing was changed and branch {branch!r} was removed") from None
    return report


def describe(report: BranchReport) -> list[str]:
    """Lines for the terminal: per repository, the branch and its commits."""
    lines = []
    for root, commits in report.repos.items():
        where = "checked out" if report.stayed else f"back on {report.originals[root]}"
        lines.append(
            f"{root}: branch {report.branch} with {len(commits)} commit"
            f"{'s' if len(commits) != 1 else ''} ({where})"
        )
        lines.extend(f"  {c.sha[:10]} {c.label} ({len(c.files)} files)" for c in commits)
    if not report.repos:
        lines.append(f"No changes: branch {report.branch} not created.")
    return lines
