"""Temp git repositories of services for the batch and git tests (never writes inside examples/)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "broken_backend"

CLEAN_MAIN = '''"""A small service with nothing for archfix to fix."""

from fastapi import FastAPI

app = FastAPI(title="clean")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
'''


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def init_repo(repo: Path, branch: str = "main") -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", branch)
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "commit.gpgsign", "false")


def commit_all(repo: Path, message: str = "initial") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def add_broken(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    return dest


def add_clean(dest: Path) -> Path:
    (dest / "app").mkdir(parents=True)
    (dest / "pyproject.toml").write_text('[project]\nname = "clean"\nversion = "1.0"\n')
    (dest / "app" / "__init__.py").write_text("")
    (dest / "app" / "main.py").write_text(CLEAN_MAIN)
    return dest


def make_monorepo(root: Path) -> Path:
    """root/services/{alpha,beta} broken like the example, root/services/clean clean; committed."""
    init_repo(root)
    add_broken(root / "services" / "alpha")
    add_broken(root / "services" / "beta")
    add_clean(root / "services" / "clean")
    commit_all(root)
    return root


def tree_state(repo: Path) -> str:
    """A hash of every file (outside .git), HEAD, the checked-out branch, branches and status."""
    digest = hashlib.sha256()
    for path in sorted(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        digest.update(path.relative_to(repo).as_posix().encode())
        digest.update(path.read_bytes())
    for args in (
        ("rev-parse", "HEAD"),
        ("symbolic-ref", "--short", "HEAD"),
        ("branch", "--list"),
        ("status", "--porcelain"),
    ):
        digest.update(git(repo, *args).encode())
    return digest.hexdigest()


def services(root: Path) -> list[str]:
    """The service folders as a shell's ``services/*`` expands them (relative to root)."""
    return sorted(os.path.relpath(p, root) for p in (root / "services").iterdir() if p.is_dir())
