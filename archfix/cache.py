"""A content cache, like ruff's: an unchanged project is not parsed again.

Two levels, both stored outside the target (one folder per project root under the user cache dir;
``ARCHFIX_CACHE_DIR`` overrides it):

- **index entries**: the ``ModuleInfo`` of each file, keyed by its path, the sha256 of its bytes and
  its module name, so a run after an edit re-parses (with ``ast``) only the edited files;
- **run results**: the whole :class:`~archfix.models.Result` of a run, keyed by everything that can
  change it: archfix's version and code, the Python version, the config (selected rules and their
  options), the fix policy, the paths asked for, and every file's path, digest and module name.
  Rules read project-wide facts (the index), so a per-file result would need the same project-wide
  key; the whole-run entry is the simplest key that is correct.

Cache entries are a convenience, never a source of truth: an unreadable, corrupt or foreign entry is
ignored (and rewritten), and writes are atomic so concurrent runs cannot tear an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import archfix
from archfix.models import Result

CACHE_ENV = "ARCHFIX_CACHE_DIR"
FORMAT = 1
"""Bumped when the stored layout changes."""


def default_cache_dir() -> Path:
    """``$ARCHFIX_CACHE_DIR``, else the platform's user cache dir plus ``archfix``."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "archfix" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "archfix"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "archfix"


@cache
def code_fingerprint() -> str:
    """archfix's version plus the size and mtime of every module of the package.

    A rule edited without a version bump (a development checkout) must not be served stale results.
    """
    digest = hashlib.sha256(f"{archfix.__version__}|{FORMAT}|{sys.version}".encode())
    package = Path(archfix.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(package)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@cache
def tool_versions() -> str:
    """The versions of the libraries whose output archfix's results carry: libcst prints every
    rewritten file, black formats the code archfix generates."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("libcst", "black"):
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=-")
    return ",".join(out)


def _atomic_dump(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _load(path: Path, tag: str) -> Any | None:
    """The payload stored under ``tag`` at ``path``, or None when missing or unusable."""
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # missing, truncated, corrupt, or written by another version
        return None
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != tag:
        return None
    return stored[1]


class ProjectCache:
    """The cache folder of one project root."""

    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        root_key = hashlib.sha256(str(Path(os.path.abspath(root))).encode()).hexdigest()[:16]
        self.dir = base / root_key
        self.version = code_fingerprint()
        self._modules: dict[str, Any] | None = None
        self._used: dict[str, Any] = {}
        self._added = False

    # -- index entries ------------------------------------------------------------------------

    @property
    def _modules_path(self) -> Path:
        return self.dir / "modules.pickle"

    def _all_modules(self) -> dict[str, Any]:
        if self._modules is None:
            stored = _load(self._modules_path, self.version)
            self._modules = stored if isinstance(stored, dict) else {}
        return self._modules

    def module(self, key: str) -> Any | None:
        """The cached index entry (a ModuleInfo, or a parse error message) for ``key``."""
        value = self._all_modules().get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put_module(self, key: str, value: Any) -> None:
        self._used[key] = value
        self._added = True

    def save_modules(self) -> None:
        """Store the entries this run used (older ones are dropped, so the file stays bounded)."""
        if not self._added:
            return
        with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
            _atomic_dump(self._modules_path, (self.version, dict(self._used)))

    # -- run results --------------------------------------------------------------------------

    @staticmethod
    def run_key(parts: Iterable[str]) -> str:
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _result_path(self, options_key: str) -> Path:
        return self.dir / f"result-{options_key[:24]}.pickle"

    def load_result(
        self, options_key: str, tree_key: str, outside: Callable[[], str] | None = None
    ) -> Result | None:
        """The stored result for these options, if it was computed on this exact tree (and, for
        a result that imported the project, in the same environment: ``outside()`` computes
        :func:`outside_fingerprint` now)."""
        stored = _load(self._result_path(options_key), self.version)
        if not isinstance(stored, tuple) or len(stored) != 4:
            return None
        key, tree, seen, result = stored
        if key != options_key or tree != tree_key or not isinstance(result, Result):
            return None
        if seen is not None and (outside is None or outside() != seen):
            return None
        return result

    def save_result(
        self, options_key: str, tree_key: str, result: Result, outside: str | None = None
    ) -> None:
        """Keep one result per option set (the latest tree), so the cache does not grow per run.
        ``outside``: the result's :func:`outside_fingerprint` when it depends on one."""
        with contextlib.suppress(Exception):
            _atomic_dump(
                self._result_path(options_key),
                (self.version, (options_key, tree_key, outside, result)),
            )


_VOLATILE_ENV = frozenset({"_", "OLDPWD", "PWD", "SHLVL", "COLUMNS", "LINES"})
"""Set by shells, not read by apps: a change must not throw a result away."""


def outside_fingerprint(python: str, root: Path) -> str:
    """What importing a project's apps with ``python`` depends on besides its Python files: the
    environment, the interpreter's import folders (installing a package changes them) and every
    file of the project, as verification copies it (a ``.env`` file, a compiled module)."""
    from archfix.merge.verify import SKIP_DIRS

    digest = hashlib.sha256()
    for key, value in sorted(os.environ.items()):
        if key not in _VOLATILE_ENV:
            digest.update(f"{key}={value}\0".encode("utf-8", "surrogatepass"))
    digest.update(f"python={python}\0".encode("utf-8", "surrogatepass"))
    for folder in _import_folders(python):
        with contextlib.suppress(OSError):
            digest.update(
                f"{folder}|{os.stat(folder).st_mtime_ns}\0".encode("utf-8", "surrogatepass")
            )
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                rel = os.path.relpath(path, root)
                digest.update(
                    f"{rel}|{st.st_size}|{st.st_mtime_ns}\0".encode("utf-8", "surrogatepass")
                )
    return digest.hexdigest()


@cache
def _import_folders(python: str) -> tuple[str, ...]:
    """The folders ``python`` imports from: its ``sys.path`` in a fresh interpreter (``-c``),
    without the current folder. Not this process's ``sys.path``, which starts with archfix's
    working folder, whose timestamp changes whenever a file is created there (``/tmp``)."""
    try:
        out = subprocess.run(
            [python, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            cwd=os.path.abspath(os.sep),
        ).stdout
        paths = json.loads(out.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return (f"unknown:{time.time_ns()}",)  # never equal: the result is not reused
    return tuple(sorted({os.path.abspath(p) for p in paths if p and os.path.isdir(p)}))


def tree_parts(
    root: Path,
    digests: Mapping[Path, str],
    names: Mapping[Path, tuple[str, bool]],
    errors: Iterable[tuple[str, str, str]],
    layout: Iterable[str] = (),
) -> list[str]:
    """The strings that identify a tree's content: files, digests, module names, read errors,
    and the names in every walked folder (a new extension module or empty folder changes what
    an import resolves to)."""
    parts = []
    for path in sorted(digests, key=str):
        name, is_package = names[path]
        parts.append(f"{_rel(path, root)}|{digests[path]}|{name}|{int(is_package)}")
    parts.extend("|".join(e) for e in errors)
    parts.append("layout")
    parts.extend(layout)
    return parts


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
