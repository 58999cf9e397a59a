"""Speed-ups must not change results: cache on/off and one or two worker processes give the same diff.

Runs on a small tree from ``benchmarks/generate.py`` (2 services, every defect class). No timing
assertions: the benchmark runner reports times, tests only check results and what was parsed.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from archfix import engine
from archfix.cache import ProjectCache, _import_folders
from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, load_project
from archfix.models import Result
from archfix.reporters.diff import unified_diff
from archfix.runner import Overrides, config_for, run_paths

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("archfix_bench_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _generator().generate(tmp_path_factory.mktemp("mono"), 2, seed=8)


def _run(
    roots: Sequence[Path], cache_dir: Path | None, jobs: int, select: tuple[str, ...] = ()
) -> list[Result]:
    options = RunOptions(
        policy=FixPolicy(apply=True),
        jobs=jobs,
        cache=cache_dir is not None,
        cache_dir=cache_dir,
    )
    return run_paths(list(roots), Overrides(select=select), options)


IMPORT_FIX = ("misplaced-import",)
"""The cache tests that need several runs select one rule to stay quick."""


def _diff(results: Sequence[Result]) -> str:
    return "".join(unified_diff(c) for r in results for c in r.changes)


def _report(results: Sequence[Result]) -> list[tuple[object, ...]]:
    """Findings and errors as comparable tuples (the diff alone would miss report-only rules)."""
    rows: list[tuple[object, ...]] = []
    for r in results:
        rows.extend(
            (f.rule_id, str(f.path), f.line, f.col, f.message, f.applied) for f in r.findings
        )
        rows.extend((e.kind.value, str(e.path), e.message) for e in r.errors)
    return rows


def test_generator_is_deterministic_and_seeds_defects(tmp_path: Path) -> None:
    gen = _generator()
    first = gen.generate(tmp_path / "a", 2, seed=8)
    second = gen.generate(tmp_path / "b", 2, seed=8)
    for a, b in zip(first, second, strict=True):
        files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
        assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
        for rel in files_a:
            assert (a / rel).read_bytes() == (b / rel).read_bytes()
    assert (first[0] / "pyproject.toml").is_file()


def test_diff_identical_with_and_without_cache_and_jobs(
    services: list[Path], tmp_path: Path
) -> None:
    baseline = _run(services, None, jobs=1)
    diff = _diff(baseline)
    assert diff, "the generated services carry fixable defects: an empty diff means a broken run"
    assert "from app.database import get_db" in diff

    two_jobs = _run(services, None, jobs=2)
    assert _diff(two_jobs) == diff
    assert _report(two_jobs) == _report(baseline)

    cold = _run(services, tmp_path / "cache", jobs=2)
    assert _diff(cold) == diff
    assert _report(cold) == _report(baseline)
    assert sum(r.files_parsed for r in cold) == sum(r.files_parsed for r in baseline) > 0

    warm = _run(services, tmp_path / "cache", jobs=1)
    assert _diff(warm) == diff
    assert _report(warm) == _report(baseline)
    assert sum(r.files_parsed for r in warm) == 0
    assert [r.files_scanned for r in warm] == [r.files_scanned for r in baseline]


def test_cache_misses_after_an_edit_and_keeps_results_right(
    services: list[Path], tmp_path: Path
) -> None:
    root = services[0]
    cache_dir = tmp_path / "cache"
    first = _run([root], cache_dir, 1, IMPORT_FIX)
    changed = sorted(c.path for r in first for c in r.changes)
    assert changed
    clean = next(
        p
        for p in sorted((root / "app" / "api" / "routes").glob("*.py"))
        if p not in changed and "from app.database import get_db" in p.read_text()
    )
    original = clean.read_bytes()
    try:  # break a clean route file: the cached result must not hide the new defect
        clean.write_text(
            original.decode().replace(
                "from app.database import get_db", "from app.db.base import get_db"
            ),
            encoding="utf-8",
        )
        edited = _run([root], cache_dir, 1, IMPORT_FIX)
        fresh = _run([root], None, 1, IMPORT_FIX)
        assert _diff(edited) == _diff(fresh)
        assert _report(edited) == _report(fresh)
        assert sum(r.files_parsed for r in edited) > 0
        assert sorted(c.path for r in edited for c in r.changes) == sorted([*changed, clean])
    finally:
        clean.write_bytes(original)


def test_corrupt_cache_entries_are_ignored(services: list[Path], tmp_path: Path) -> None:
    root = services[1]
    cache_dir = tmp_path / "cache"
    expected = _diff(_run([root], None, 1, IMPORT_FIX))
    assert expected
    _run([root], cache_dir, 1, IMPORT_FIX)
    entries = [p for p in cache_dir.rglob("*.pickle")]
    assert entries
    for path in entries:
        path.write_bytes(b"\x80\x05not a pickle")
    again = _run([root], cache_dir, 1, IMPORT_FIX)
    assert _diff(again) == expected
    assert sum(r.files_parsed for r in again) > 0
    # A well-formed pickle of the wrong shape is ignored too.
    for path in cache_dir.rglob("*.pickle"):
        path.write_bytes(pickle.dumps(("another-version", {"x": 1})))
    assert _diff(_run([root], cache_dir, 1, IMPORT_FIX)) == expected


def test_index_entries_come_from_the_cache(
    services: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = services[1]
    config = config_for(root, Overrides())
    first = load_project(root, [root], config, cache=ProjectCache(root, tmp_path / "c"))

    def no_parse(*args: object, **kwargs: object) -> ast.Module:
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(engine.ast, "parse", no_parse)
    second = load_project(root, [root], config, cache=ProjectCache(root, tmp_path / "c"))
    assert second.project.files == first.project.files
    assert second.project.index.modules.keys() == first.project.index.modules.keys()
    for name, info in first.project.index.modules.items():
        assert second.project.index.modules[name] == info


def test_cache_dir_is_outside_the_target_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARCHFIX_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert ProjectCache(tmp_path / "proj").dir.parent == tmp_path / "xdg" / "archfix"
    monkeypatch.setenv("ARCHFIX_CACHE_DIR", str(tmp_path / "env"))
    assert ProjectCache(tmp_path / "proj").dir.parent == tmp_path / "env"


def test_no_cache_env_neither_reads_nor_writes(
    services: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHFIX_NO_CACHE", "1")
    cache_dir = tmp_path / "cache"
    results = _run([services[0]], cache_dir, 1, IMPORT_FIX)
    assert sum(r.files_parsed for r in results) > 0
    assert not cache_dir.exists()


def test_cli_no_cache_flag(services: list[Path], tmp_path: Path) -> None:
    def check(*flags: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ARCHFIX_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
        env.pop("ARCHFIX_NO_CACHE", None)
        cmd = [sys.executable, "-m", "archfix", "check", *flags, "--select", IMPORT_FIX[0]]
        return subprocess.run(
            [*cmd, str(services[0])], env=env, capture_output=True, text=True, check=False
        )

    uncached = check("--no-cache")
    assert uncached.returncode == 1 and "misplaced-import" in uncached.stdout
    assert not (tmp_path / "cache").exists()
    cached = check()
    assert cached.stdout == uncached.stdout
    assert any((tmp_path / "cache").rglob("result-*.pickle"))


def test_large_project_index_scanned_in_the_pool_is_the_same(
    services: list[Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A single large project spreads its ast scan over the workers: the index (entries, their
    order, the parse errors) and the whole result are those of the in-process scan."""
    root = services[0]
    (root / "app" / "broken.py").write_text("def broken(:\n")
    try:
        config = config_for(root, Overrides())
        sources = engine._read_sources(root, [root], config)
        alone = engine._index_sources(root, config, sources, jobs=1)
        baseline = _run([root], None, jobs=1)
        monkeypatch.setattr(engine, "INDEX_PARALLEL_CHARS", 0)
        pooled = engine._index_sources(root, config, sources, jobs=2)
        assert list(pooled.project.index.modules.items()) == list(
            alone.project.index.modules.items()
        )
        assert pooled.errors == alone.errors and pooled.errors
        assert list(pooled.project.texts) == list(alone.project.texts)
        cold = _run([root], tmp_path / "cache", jobs=2)  # the cache path, in the pool too
        assert _diff(cold) == _diff(baseline)
        assert _report(cold) == _report(baseline)
    finally:
        (root / "app" / "broken.py").unlink()


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_new_extension_module_or_folder_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    """unresolved-import looks at the disk beyond the .py files: a compiled module or a folder
    that appears must change the result of a warm run, as it changes a fresh one."""
    root = _tree(
        tmp_path / "proj",
        {
            "pyproject.toml": "[project]\nname = 'proj'\n",
            "app/__init__.py": "",
            "app/main.py": "from app import speedups\nfrom app.plugins import extra\n",
        },
    )
    cache_dir = tmp_path / "cache"
    select = ("unresolved-import",)

    def findings(cache: Path | None) -> list[tuple[object, ...]]:
        return _report(_run([root], cache, 1, select))

    first = findings(cache_dir)
    assert len(first) == 2 and findings(cache_dir) == first
    (root / "app" / "speedups.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    assert findings(cache_dir) == findings(None) and len(findings(None)) == 1
    (root / "app" / "plugins" / "extra").mkdir(parents=True)  # a namespace package
    assert findings(cache_dir) == findings(None) == []


MERGE_FAMILY = {
    "pyproject.toml": "[project]\nname = 'svc'\n",
    "app/__init__.py": "",
    "app/settings.py": (
        "import os\n"
        "from pathlib import Path\n\n"
        "_file = Path(__file__).parent / 'secret.txt'\n"
        "TOKEN = os.environ.get('SVC_TOKEN') or (_file.read_text().strip() if _file.exists() else '')\n"
        "if not TOKEN:\n"
        "    raise RuntimeError('SVC_TOKEN is not set')\n"
    ),
    "app/main.py": (
        "from fastapi import FastAPI\n\n"
        "from app import settings\n\n"
        "app = FastAPI(title='svc')\n\n\n"
        "@app.get('/health')\n"
        "def health() -> dict[str, str]:\n"
        "    return {'status': 'ok'}\n\n\n"
        "@app.get('/items')\n"
        "def items() -> list[int]:\n"
        "    return []\n"
    ),
    "app/main_lite.py": (
        "from fastapi import FastAPI\n\n"
        "from app import settings\n\n"
        "app = FastAPI(title='svc')\n\n\n"
        "@app.get('/health')\n"
        "def health() -> dict[str, str]:\n"
        "    return {'status': 'ok'}\n"
    ),
}


@pytest.mark.skipif(importlib.util.find_spec("fastapi") is None, reason="needs fastapi")
def test_a_merge_verified_in_another_environment_is_verified_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification imports the apps: the secret they need may come from the environment or a
    file next to the code. A warm run after either appears must merge, as a fresh run does."""
    root = _tree(tmp_path / "svc", MERGE_FAMILY)
    cache_dir = tmp_path / "cache"
    select = ("merge-entrypoints",)
    monkeypatch.delenv("SVC_TOKEN", raising=False)

    def merged(cache: Path | None) -> bool:
        results = _run([root], cache, 1, select)
        return any(c.path.name == "main.py" for r in results for c in r.changes)

    assert not merged(cache_dir)
    monkeypatch.setenv("SVC_TOKEN", "s3cret")
    assert merged(None) and merged(cache_dir)
    monkeypatch.delenv("SVC_TOKEN")
    assert not merged(cache_dir)
    (root / "app" / "secret.txt").write_text("from-a-file\n", encoding="utf-8")
    assert merged(None) and merged(cache_dir)
    # archfix's own working folder (first on its sys.path) gains files all the time (/tmp):
    # it is not where the apps import from, so the result is still reused.
    busy = tmp_path / "busy"
    busy.mkdir()
    monkeypatch.syspath_prepend(str(busy))
    _import_folders.cache_clear()
    _run([root], cache_dir, 1, select)
    (busy / "scratch.txt").write_text("x", encoding="utf-8")
    ran: list[Path] = []
    real = engine.run_project
    monkeypatch.setattr(
        engine,
        "run_project",
        lambda loaded, options: ran.append(loaded.project.root) or real(loaded, options),
    )
    _run([root], cache_dir, 1, select)
    assert ran == []  # unchanged environment: the stored result, nothing run again


def test_a_new_line_length_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    """Generated code (the secret helper) is formatted at the project's black line length,
    read from pyproject.toml outside [tool.archfix]: editing it must change a warm run too."""
    root = _tree(
        tmp_path / "svc",
        {
            "pyproject.toml": "[tool.black]\nline-length = 120\n",
            "app/__init__.py": "",
            "app/config.py": (
                "class Settings:\n"
                "    def __init__(self) -> None:\n"
                "        self.key = _get_secret('JWT_SECRET_KEY', default='development-only-key')\n"
                "        self.url = _get_secret(\n"
                "            'DATABASE_URL_FOR_THE_PRIMARY_DATABASE', 'sqlite:///./local-development.db'\n"
                "        )\n"
            ),
        },
    )
    cache_dir = tmp_path / "cache"
    select = ("missing-secret-helper",)
    wide = _diff(_run([root], cache_dir, 1, select))
    assert wide
    (root / "pyproject.toml").write_text("[tool.black]\nline-length = 50\n", encoding="utf-8")
    narrow = _diff(_run([root], cache_dir, 1, select))
    assert narrow == _diff(_run([root], None, 1, select)) and narrow != wide


def test_a_module_renamed_in_an_excluded_folder_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    """unresolved-import looks into folders discovery does not walk (generated code excluded
    from the run): renaming a module there must change a warm run too."""
    root = _tree(
        tmp_path / "svc",
        {
            "pyproject.toml": '[tool.archfix]\nexclude = ["app/proto/"]\n',
            "app/__init__.py": "",
            "app/proto/__init__.py": "",
            "app/proto/users_pb2.py": "User = object\n",
            "app/main.py": "import app.proto.users_pb2\n",
        },
    )
    cache_dir = tmp_path / "cache"
    select = ("unresolved-import",)
    assert _report(_run([root], cache_dir, 1, select)) == []
    (root / "app" / "proto" / "users_pb2.py").rename(root / "app" / "proto" / "accounts_pb2.py")
    fresh = _report(_run([root], None, 1, select))
    assert len(fresh) == 1 and _report(_run([root], cache_dir, 1, select)) == fresh


@pytest.mark.parametrize(
    ("config", "module", "folder"),
    [
        ('[tool.archfix]\nexclude = ["app/gen/"]\n', "app.gen.protos.user_pb2", "app/gen/protos"),
        ("", "app.plugins.extra.tool", "app/plugins/extra"),  # app/plugins is a project of its own
    ],
    ids=["two-levels-into-an-excluded-folder", "inside-a-nested-project"],
)
def test_a_module_renamed_where_discovery_does_not_walk_is_not_hidden_by_the_cache(
    tmp_path: Path, config: str, module: str, folder: str
) -> None:
    """The folders rules looked into are stored with the result and compared before reuse."""
    leaf = module.rsplit(".", 1)[1]
    root = _tree(
        tmp_path / "svc",
        {
            "pyproject.toml": config or "[project]\nname = 'svc'\n",
            "app/__init__.py": "",
            "app/gen/__init__.py": "",
            "app/gen/protos/__init__.py": "",
            "app/gen/protos/user_pb2.py": "User = object\n",
            "app/plugins/pyproject.toml": "[project]\nname = 'plugins'\n",
            "app/plugins/__init__.py": "",
            "app/plugins/extra/__init__.py": "",
            "app/plugins/extra/tool.py": "TOOL = 1\n",
            "app/main.py": f"import {module}\n",
        },
    )
    cache_dir = tmp_path / "cache"
    select = ("unresolved-import",)
    assert _report(_run([root], cache_dir, 1, select)) == []
    (root / folder / f"{leaf}.py").rename(root / folder / "renamed.py")
    fresh = _report(_run([root], None, 1, select))
    assert len(fresh) == 1 and _report(_run([root], cache_dir, 1, select)) == fresh
