"""Finding the project root and the Python files archfix may look at.

Honours .gitignore files (every level, via pathspec, which implements git's matching rules), the
config's ``exclude`` patterns and the folders no one wants rewritten (virtualenvs, build output).
Symbolic links are never followed: archfix must not read or write outside the project root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from archfix.models import ErrorKind, FileError

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".hg",
        ".mypy_cache",
        ".nox",
        ".pytest_cache",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        "__pycache__",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)


class DiscoveryError(Exception):
    """A path the user gave cannot be used (one line)."""


def find_root(path: Path) -> Path:
    """The nearest ancestor (or the path itself) holding pyproject.toml or .git.

    Falls back to the path's own folder, so a loose script can still be checked. A symlink given
    as the path is not followed (a link loop would raise; a link to another tree would move the
    root there): its own folder is the start, and discovery then reports the link.
    """
    absolute = Path(os.path.abspath(path))
    if absolute.is_symlink():
        start = absolute.parent.resolve()
    else:
        start = absolute.resolve()
        if not start.is_dir():
            start = start.parent
    for candidate in (start, *start.parents):
        if is_project_root(candidate):
            return candidate
    return start


def is_project_root(folder: Path) -> bool:
    """A folder with its own pyproject.toml or .git is a project of its own."""
    return (folder / "pyproject.toml").is_file() or (folder / ".git").exists()


def _spec(patterns: Iterable[str]) -> pathspec.PathSpec | None:
    lines = [p for p in patterns if p.strip()]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


@dataclass
class _Ignores:
    """gitignore specs in force for a folder: (folder they are relative to, spec)."""

    specs: list[tuple[Path, pathspec.PathSpec]] = field(default_factory=list)

    def matches(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self.specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False


@dataclass
class Discovery:
    """The files to process and the paths that had to be skipped."""

    files: list[Path]
    errors: list[FileError]
    nested: list[Path] = field(default_factory=list)
    """Folders below the root that are projects of their own (not walked: each is run alone)."""
    layout: list[str] = field(default_factory=list)
    """Each walked folder and the names in it (every kind of file, and subfolders). Rules read
    the disk beyond the ``.py`` files (an extension module, a stub, a folder without
    ``__init__.py``), so the result cache keys on this too."""


def _symlink_problem(path: Path, root: Path) -> str | None:
    """Why a symlinked .py file is reported, or None when it is simply skipped."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symlink loop or dangling symlink; skipped"
    try:
        target.relative_to(root)
    except ValueError:
        return "symlink to a file outside the project root; archfix does not follow it"
    return None  # the target is inside the root and is processed under its own name


def discover(
    root: Path, paths: Sequence[Path], exclude: Sequence[str], gitignore: bool
) -> Discovery:
    """Every ``.py`` file under ``paths`` (inside ``root``) that is not excluded.

    Files named explicitly are always included (as ruff does), unless they are symlinks. A
    folder below the root with its own pyproject.toml or .git (a service in a monorepo) belongs
    to that project, not this one: it is listed in ``nested`` and not walked.
    """
    root = root.resolve()
    excluded = _spec(exclude)
    files: list[Path] = []
    errors: list[FileError] = []
    nested: list[Path] = []
    layout: list[str] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path not in seen:
            seen.add(path)
            files.append(path)

    def is_excluded(path: Path, is_dir: bool) -> bool:
        if excluded is None:
            return False
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            return False
        return excluded.match_file(rel + "/" if is_dir else rel)

    for given in paths:
        given_abs = Path(os.path.abspath(given))
        # Resolve the folders above it (the root is resolved) but not the path itself, so a
        # symlinked file is still seen as a symlink.
        absolute = given_abs.parent.resolve() / given_abs.name if given_abs.name else given_abs
        if not absolute.exists() and not absolute.is_symlink():
            raise DiscoveryError(f"{given}: no such file or directory")
        try:
            absolute.relative_to(root)
        except ValueError:
            raise DiscoveryError(f"{given}: outside the project root {root}") from None
        if absolute.is_symlink():
            problem = _symlink_problem(absolute, root)
            if problem:
                errors.append(FileError(absolute, ErrorKind.SYMLINK, problem))
            continue
        if absolute.is_file():
            add(absolute)
            continue
        start = _Ignores()
        if gitignore:
            # .gitignore files in the folders between the root and the starting folder apply too.
            for parent in reversed(absolute.relative_to(root).parents):
                _load_gitignore(root / parent, start)
        ignores_by_dir = {absolute: start}
        for dirpath, dirnames, filenames in os.walk(absolute, followlinks=False):
            current = Path(dirpath)
            names = [n for n in (*dirnames, *filenames) if n not in DEFAULT_EXCLUDED_DIRS]
            layout.append("\0".join([os.path.relpath(dirpath, root), *sorted(names)]))
            local = _Ignores(list(ignores_by_dir.pop(current, start).specs))
            if gitignore:
                _load_gitignore(current, local)
            kept = []
            for name in sorted(dirnames):
                sub = current / name
                if name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info") or sub.is_symlink():
                    continue
                if local.matches(sub, True) or is_excluded(sub, True):
                    continue
                if is_project_root(sub):
                    nested.append(sub)
                    continue
                kept.append(name)
                ignores_by_dir[sub] = local
            dirnames[:] = kept
            for name in sorted(filenames):
                if not name.endswith(".py"):
                    continue
                path = current / name
                if path.is_symlink():
                    problem = _symlink_problem(path, root)
                    if problem:
                        errors.append(FileError(path, ErrorKind.SYMLINK, problem))
                    continue
                if local.matches(path, False) or is_excluded(path, False):
                    continue
                add(path)
    return Discovery(files=files, errors=errors, nested=nested, layout=layout)


def _load_gitignore(folder: Path, ignores: _Ignores) -> None:
    gi = folder / ".gitignore"
    if gi.is_file():
        try:
            spec = _spec(gi.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            return
        if spec is not None:
            ignores.specs.append((folder, spec))
