"""Writing a Result to disk: atomically, inside the root only, never through a symlink, never over
someone else's edit.

Each file is written to a temporary file in its own folder and moved over the original with
``os.replace``, so a crash or SIGKILL leaves either the old or the new content, never a mix. The
original's bytes are hashed at read time; a file whose bytes changed since is not overwritten.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archfix.models import ErrorKind, FileChange, FileError
from archfix.sourcefile import digest, encode_source


@dataclass
class WriteReport:
    """Which changes reached the disk and which did not (with why)."""

    written: list[Path] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _check_location(path: Path, root: Path) -> None:
    """Refuse paths outside the root or with a symlink anywhere between the root and the file."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise _Refused(ErrorKind.WRITE, "outside the project root; not written") from None
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            raise _Refused(
                ErrorKind.SYMLINK, f"{current} is a symlink; archfix does not write through it"
            )


def atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    """Replace ``path`` with ``data`` in one step (temp file in the same folder + os.replace)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".archfix-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_one(change: FileChange, root: Path) -> None:
    # Normalise first: ``root/../x.py`` is textually under the root but is written outside it.
    path = Path(os.path.abspath(change.path))
    _check_location(path, root)
    if change.created:
        if path.exists() or path.is_symlink():
            raise _Refused(ErrorKind.CONFLICT, "already exists on disk; not overwritten")
        path.parent.mkdir(parents=True, exist_ok=True)
        assert change.new_text is not None
        atomic_write(path, encode_source(change.new_text, change.meta), None)
        return
    try:
        current = path.read_bytes()
        st = path.stat()
    except OSError as exc:
        raise _Refused(
            ErrorKind.WRITE, f"cannot read before writing: {exc.strerror or exc}"
        ) from None
    if change.meta.digest and digest(current) != change.meta.digest:
        raise _Refused(
            ErrorKind.CONFLICT, "changed on disk since archfix read it; not overwritten (run again)"
        )
    if change.deleted:
        os.unlink(path)
        return
    assert change.new_text is not None
    try:
        data = encode_source(change.new_text, change.meta)
    except UnicodeEncodeError as exc:
        raise _Refused(
            ErrorKind.WRITE, f"new text cannot be encoded as {change.meta.encoding}: {exc.reason}"
        ) from None
    atomic_write(path, data, stat.S_IMODE(st.st_mode))


def write_changes(changes: Iterable[FileChange], root: Path) -> WriteReport:
    """Write every change it safely can; the others are reported and their files left untouched."""
    report = WriteReport()
    root = root.resolve()
    for change in changes:
        try:
            _write_one(change, root)
        except _Refused as exc:
            report.errors.append(FileError(change.path, exc.kind, exc.message))
        except OSError as exc:
            report.errors.append(
                FileError(
                    change.path,
                    ErrorKind.WRITE,
                    f"write failed: {exc.strerror or exc}; file left as it was",
                )
            )
        else:
            report.written.append(change.path)
    return report
