"""A killed ``--apply`` never leaves a truncated or mixed file, and a concurrent edit is never lost.

The writer puts each new text in a temp file in the same folder and moves it over the original with
``os.replace`` (atomic on POSIX). After a SIGKILL at any moment each file must therefore hold either
its old bytes or its new bytes. A SIGKILL between creating a temp file and renaming it can leave that
temp file behind: it is named ``.<file>.<random>.archfix-tmp`` (hidden, not ``*.py``), so no tool
that looks for Python files sees it and archfix never reads it; this test allows exactly those and
nothing else.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archfix import writer
from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, run
from archfix.models import ErrorKind
from archfix.runner import Overrides, config_for

FILES = 300
ARCHFIX_APPLY = (sys.executable, "-m", "archfix", "fix", "--apply", "-j", "1")
TEMPLATE = """\
\"\"\"Service {n}: a generated module with one duplicated middleware.\"\"\"
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

app_{n} = FastAPI(title="service-{n}")
app_{n}.add_middleware(GZipMiddleware, minimum_size={n})
app_{n}.add_middleware(GZipMiddleware, minimum_size={n})


def handler_{n}() -> int:
    return {n}
"""


def _make_tree(root: Path, count: int = FILES) -> dict[str, bytes]:
    root.mkdir()
    (root / ".git").mkdir()
    files = {}
    for n in range(count):
        rel = f"pkg{n % 10}/mod_{n}.py"
        path = root / rel
        path.parent.mkdir(exist_ok=True)
        data = TEMPLATE.format(n=n).encode()
        path.write_bytes(data)
        files[rel] = data
    return files


def _apply(root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    return subprocess.Popen(
        [*ARCHFIX_APPLY, "--select", "duplicate-middleware", "."],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _state(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> tuple[int, int]:
    """(files still old, files new); fails on any truncated, mixed or unexpected file."""
    n_old = n_new = 0
    for rel in old:
        data = (root / rel).read_bytes()
        if data == old[rel]:
            n_old += 1
        elif data == new[rel]:
            n_new += 1
        else:
            raise AssertionError(f"{rel} is neither the old nor the new text:\n{data!r}")
    extra = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and p.relative_to(root).as_posix() not in old
        and not (p.name.startswith(".") and p.name.endswith(".archfix-tmp"))
    ]
    assert not extra, f"unexpected files left behind: {extra}"
    return n_old, n_new


@pytest.mark.slow
def test_sigkill_during_apply_leaves_old_or_new_files(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    old = _make_tree(reference)
    started = time.monotonic()
    proc = _apply(reference)
    assert proc.wait(timeout=300) == 0
    full = time.monotonic() - started
    new = {rel: (reference / rel).read_bytes() for rel in old}
    assert all(new[rel] != old[rel] for rel in old), "every generated file has a fix"
    assert _state(reference, old, new) == (0, FILES)

    rng = random.Random(int(os.environ.get("ARCHFIX_KILL_SEED", "0")) or None)
    first = next(iter(old))
    outcomes = []
    # One random moment across the whole run, then moments inside the write phase (after the
    # first new file appears), where a non-atomic writer would be caught.
    for trial in range(4):
        root = tmp_path / f"trial{trial}"
        shutil.copytree(reference, root)
        for rel, data in old.items():
            (root / rel).write_bytes(data)
        proc = _apply(root)
        if trial == 0:
            time.sleep(rng.uniform(0.3, 1.0) * full)
        else:
            probe = root / first
            deadline = time.monotonic() + 2 * full + 30
            while proc.poll() is None and time.monotonic() < deadline:
                if probe.read_bytes() != old[first]:
                    break
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        outcomes.append(_state(root, old, new))
    print(f"\n(old, new) files after each SIGKILL: {outcomes} (full run {full:.1f}s)")
    assert any(0 < n_new < FILES for _, n_new in outcomes[1:]), "no kill landed mid-write"
    # A re-run after the kill finishes the job: everything new, nothing lost.
    assert _apply(root).wait(timeout=300) == 0
    assert _state(root, old, new) == (0, FILES)


def test_concurrent_edit_between_read_and_write_is_not_overwritten(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    old = _make_tree(root, 30)
    config = config_for(root, Overrides(select=("duplicate-middleware",)))
    result = run(root, [root], config, RunOptions(policy=FixPolicy(apply=True)))
    assert len(result.changes) == 30
    someone = root / "pkg3/mod_13.py"
    theirs = old["pkg3/mod_13.py"] + b"\n# edited by a colleague while archfix ran\n"
    someone.write_bytes(theirs)
    report = writer.write_changes(result.changes, root)
    conflicts = [e for e in report.errors if e.kind is ErrorKind.CONFLICT]
    assert [e.path for e in conflicts] == [someone]
    assert "changed on disk" in conflicts[0].message
    assert someone.read_bytes() == theirs, "the colleague's edit must survive"
    assert len(report.written) == 30 - 1


def test_deleted_between_read_and_write_is_not_recreated(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _make_tree(root, 20)
    config = config_for(root, Overrides(select=("duplicate-middleware",)))
    result = run(root, [root / "pkg0"], config, RunOptions(policy=FixPolicy(apply=True)))
    gone = result.changes[0].path
    gone.unlink()
    report = writer.write_changes(result.changes, root)
    assert [e.path for e in report.errors] == [gone]
    assert not gone.exists()


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_replaced_by_symlink_between_read_and_write(tmp_path: Path, kind: str) -> None:
    """A file (or its folder) swapped for a symlink after reading is not written through."""
    root = tmp_path / "proj"
    old = _make_tree(root, 20)
    outside = tmp_path / "outside"
    outside.mkdir()
    config = config_for(root, Overrides(select=("duplicate-middleware",)))
    result = run(root, [root / "pkg1"], config, RunOptions(policy=FixPolicy(apply=True)))
    victim = result.changes[0].path
    if kind == "file":
        target = outside / victim.name
        target.write_bytes(old[victim.relative_to(root).as_posix()])
        victim.unlink()
        victim.symlink_to(target)
    else:
        shutil.move(str(victim.parent), str(outside / "pkg1"))
        victim.parent.symlink_to(outside / "pkg1")
        target = outside / "pkg1" / victim.name
    report = writer.write_changes(result.changes, root)
    refused = {e.path for e in report.errors}
    assert victim in refused
    assert target.read_bytes() == old[victim.relative_to(root).as_posix()]
