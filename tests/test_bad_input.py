"""Bad input never crashes archfix, never touches the bad file, and says what is wrong in one line.

Each test puts one bad thing next to a good file that has a fixable defect, runs the real command
line (``fix --apply``) in a subprocess and checks: a non-zero exit, one ``error:`` line naming the
bad path, no traceback, the bad file's bytes unchanged, and the good file still fixed (one odd file
must not stop the batch). Write failures are simulated in-process (tests run as root, where a
read-only folder does not stop a write).
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from archfix import writer
from archfix.cli import main
from archfix.codemods.base import FixPolicy
from archfix.config import DEFAULT_MAX_FILE_SIZE
from archfix.engine import RunOptions, run
from archfix.models import ErrorKind
from archfix.runner import Overrides, config_for

ARCHFIX = [sys.executable, "-m", "archfix"]

DEFECT = """\
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

app = FastAPI()
app.add_middleware(GZipMiddleware)
app.add_middleware(GZipMiddleware)
"""
FIXED = """\
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

app = FastAPI()
app.add_middleware(GZipMiddleware)
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "good.py").write_text(DEFECT)
    return root


@dataclass
class Run:
    """What one archfix invocation printed and returned."""

    returncode: int
    stdout: str
    stderr: str


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()


def _archfix(root: Path, *args: str) -> Run:
    """Run the command line in-process (a subprocess per call would cost seconds on CI)."""
    old = Path.cwd()
    os.chdir(root)
    try:
        result = _runner().invoke(main, list(args), env={"NO_COLOR": "1"})
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"archfix crashed: {result.exception!r}") from result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def _subprocess(root: Path, *args: str) -> Run:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    proc = subprocess.run(
        [*ARCHFIX, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _error_lines(proc: Run, name: str) -> list[str]:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return [line for line in proc.stderr.splitlines() if "error" in line and name in line]


def _assert_reported_untouched(root: Path, bad: str, before: bytes | None, *words: str) -> None:
    """Run check and fix --apply; one error line for ``bad``, it is unchanged, good.py is fixed."""
    checked = _archfix(root, "check", "-j", "1", ".")
    assert checked.returncode != 0
    lines = _error_lines(checked, bad)
    assert len(lines) == 1, checked.stderr
    for word in words:
        assert word in lines[0], lines[0]
    fixed = _archfix(root, "fix", "--apply", "-j", "1", ".")
    assert fixed.returncode != 0, fixed.stderr
    assert len(_error_lines(fixed, bad)) == 1, fixed.stderr
    if before is not None:
        assert (root / bad).read_bytes() == before
    assert (root / "good.py").read_text() == FIXED, "one bad file must not stop the batch"


def test_syntax_error_is_one_line_and_untouched(tmp_path: Path) -> None:
    root = _project(tmp_path)
    data = b"def broken(:\n    app.add_middleware(X)\n    app.add_middleware(X)\n"
    (root / "bad.py").write_bytes(data)
    _assert_reported_untouched(root, "bad.py", data, "syntax error", "line 1")
    # The real command line in its own process says the same, in one line.
    proc = _subprocess(root, "fix", "--apply", "-j", "1", "bad.py")
    assert proc.returncode == 1
    assert len(_error_lines(proc, "bad.py")) == 1, proc.stderr
    assert (root / "bad.py").read_bytes() == data


def test_undecodable_bytes_name_the_byte(tmp_path: Path) -> None:
    root = _project(tmp_path)
    data = b'x = "\xff\xfe"\napp.add_middleware(X)\n'
    (root / "bad.py").write_bytes(data)
    _assert_reported_untouched(root, "bad.py", data, "cannot decode as utf-8", "0xff")


def test_wrong_declared_encoding_is_one_line(tmp_path: Path) -> None:
    root = _project(tmp_path)
    data = b"# -*- coding: no-such-codec -*-\nx = 1\n"
    (root / "bad.py").write_bytes(data)
    _assert_reported_untouched(root, "bad.py", data, "unknown encoding")


def test_nul_byte_binary_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    data = b"app.add_middleware(X)\n\x00\x01\x02binary\n"
    (root / "bad.py").write_bytes(data)
    _assert_reported_untouched(root, "bad.py", data, "NUL")


def test_huge_file_is_skipped_by_the_size_limit(tmp_path: Path) -> None:
    """A 20 MB generated file is skipped by max-file-size (config.DEFAULT_MAX_FILE_SIZE), not parsed."""
    root = _project(tmp_path)
    line = b"app.add_middleware(GZipMiddleware)  # generated\n"
    data = b"from fastapi import FastAPI\napp = FastAPI()\n" + line * (20_000_000 // len(line))
    assert len(data) > 10 * DEFAULT_MAX_FILE_SIZE
    (root / "huge.py").write_bytes(data)
    _assert_reported_untouched(root, "huge.py", None, "max-file-size")
    assert (root / "huge.py").read_bytes() == data


def test_symlink_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    outside = tmp_path / "outside.py"
    outside.write_text(DEFECT)
    (root / "link.py").symlink_to(outside)
    _assert_reported_untouched(root, "link.py", None, "outside the project root")
    assert outside.read_text() == DEFECT
    assert (root / "link.py").is_symlink()


def test_symlink_outside_given_explicitly(tmp_path: Path) -> None:
    """Regression: naming the link on the command line used to move the root to the target's folder."""
    root = _project(tmp_path)
    outside = tmp_path / "elsewhere" / "outside.py"
    outside.parent.mkdir()
    outside.write_text(DEFECT)
    (root / "link.py").symlink_to(outside)
    proc = _archfix(root, "fix", "--apply", "link.py")
    assert proc.returncode != 0
    assert len(_error_lines(proc, "link.py")) == 1, proc.stderr
    assert outside.read_text() == DEFECT


def test_symlink_loop(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "loop.py").symlink_to("loop.py")
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    _assert_reported_untouched(root, "loop.py", None, "symlink loop")
    # Given explicitly (regression: find_root used to raise RuntimeError from Path.resolve()).
    proc = _archfix(root, "check", "loop.py")
    assert proc.returncode != 0
    assert len(_error_lines(proc, "loop.py")) == 1, proc.stderr


def test_directory_named_like_a_python_file(tmp_path: Path) -> None:
    """A folder named x.py is walked as a folder, never read as a file (no error, no crash)."""
    root = _project(tmp_path)
    folder = root / "x.py"
    folder.mkdir()
    (folder / "inner.py").write_text(DEFECT)
    proc = _archfix(root, "fix", "--apply", "x.py")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert (folder / "inner.py").read_text() == FIXED
    assert folder.is_dir()
    # Next to a real bad file, it does not add an error of its own.
    (root / "bad.py").write_bytes(b"def (\n")
    checked = _archfix(root, "check", ".")
    assert checked.returncode != 0
    assert not _error_lines(checked, "x.py"), checked.stderr


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[tool.archfix]\nselct = ["ALL"]\n', ("selct", "unknown key", "select")),
        ('[tool.archfix]\nunsafe-fixes = "yes"\n', ("unsafe-fixes", "must be bool")),
        ("[tool.archfix]\nmax-file-size = true\n", ("max-file-size", "must be int")),
        ('[tool.archfix]\nselect = ["no-such-rule"]\n', ("no-such-rule", "unknown rule id")),
        ("[tool.archfix\n", ("pyproject.toml", "TOML")),
    ],
    ids=["unknown-key", "wrong-type", "wrong-int", "unknown-rule", "bad-toml"],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, toml: str, words: tuple[str, ...]) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(toml)
    for args in (("check", "."), ("fix", "--apply", ".")):
        proc = _archfix(root, *args)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        for word in words:
            assert word in lines[0], lines[0]
    assert (root / "good.py").read_text() == DEFECT, "a config error must stop before any write"


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _archfix(root, "fix", "--apply", "good.py", "missing/nothing.py")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing/nothing.py" in lines[0] and "no such file" in lines[0]
    assert (root / "good.py").read_text() == DEFECT


# --- write failures during --apply (simulated in-process) -------------------------------------


def _three_files(tmp_path: Path) -> Path:
    root = _project(tmp_path)
    for name in ("a.py", "b.py", "c.py"):
        (root / name).write_text(DEFECT.replace("GZip", name[0].upper() + "Gzip"))
    return root


def _failing_replace(victim: str, code: int):  # type: ignore[no-untyped-def]
    real = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == victim:
            raise OSError(code, os.strerror(code), str(dst))
        real(src, dst)

    return replace


def _failing_fsync(victim: str, code: int):  # type: ignore[no-untyped-def]
    real = os.fsync

    def fsync(fd: int) -> None:
        # The temp file is named .<target>.XXXX.archfix-tmp: find which target it is for.
        if f".{victim}." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(code, os.strerror(code))
        real(fd)

    return fsync


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name the fd")
@pytest.mark.parametrize(
    ("patch", "code", "words"),
    [
        ("replace", errno.EACCES, "Permission denied"),
        ("fsync", errno.ENOSPC, "No space left on device"),
    ],
    ids=["permission-denied", "disk-full"],
)
def test_write_failure_others_still_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patch: str, code: int, words: str
) -> None:
    root = _three_files(tmp_path)
    before = {p.name: p.read_bytes() for p in root.glob("*.py")}
    failing = (_failing_replace if patch == "replace" else _failing_fsync)("b.py", code)
    monkeypatch.setattr(writer.os, patch, failing)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["fix", "--apply", "--no-color", "-j", "1", "."])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1, result.output
    failure = [line for line in result.output.splitlines() if "b.py" in line and "error" in line]
    assert len(failure) == 1 and words in failure[0], result.output
    assert "skipped or not fixed" in result.output, "the summary must count the failure"
    assert (root / "b.py").read_bytes() == before["b.py"], "the failed file must be untouched"
    for name in ("a.py", "c.py", "good.py"):
        assert (root / name).read_bytes() != before[name], f"{name} must still be fixed"
    leftovers = [p.name for p in root.iterdir() if p.name.endswith(".archfix-tmp")]
    assert not leftovers, "a failed write must remove its temp file"


def test_write_changes_reports_unexpected_oserror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: write_changes never raises for an OSError; the file keeps its bytes."""
    root = _three_files(tmp_path)
    before = (root / "a.py").read_bytes()
    config = config_for(root, Overrides(select=("duplicate-middleware",)))
    result = run(root, [root], config, RunOptions(policy=FixPolicy(apply=True)))
    assert len(result.changes) == 4
    monkeypatch.setattr(writer.os, "replace", _failing_replace("a.py", errno.EROFS))
    report = writer.write_changes(result.changes, root)
    assert [e.path.name for e in report.errors] == ["a.py"]
    assert report.errors[0].kind is ErrorKind.WRITE
    assert "Read-only file system" in report.errors[0].message
    assert sorted(p.name for p in report.written) == ["b.py", "c.py", "good.py"]
    assert (root / "a.py").read_bytes() == before


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="PEP 695 syntax parses on 3.12+")
def test_syntax_newer_than_the_interpreter_is_named(tmp_path: Path) -> None:
    """A file in Python 3.12 syntax, checked under an older Python, is skipped like any unparsable file, but
    the error says why: the interpreter is older than the code, not the code broken."""
    (tmp_path / "schemas.py").write_text("class Page[T: int]:\n    items: list[T]\n")
    (tmp_path / "broken.py").write_text("x = (\n")
    result = run(tmp_path, [tmp_path], config_for(tmp_path, Overrides()), RunOptions(cache=False))
    messages = {e.path.name: e.message for e in result.errors if e.kind is ErrorKind.PARSE}
    assert "newer syntax" in messages["schemas.py"]
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}," in messages["schemas.py"]
    assert "newer" not in messages["broken.py"]
