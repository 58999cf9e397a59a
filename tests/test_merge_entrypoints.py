"""merge-entrypoints: acceptance on the example backend, verification catching a wrong merge."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from golden_cases import GOLDEN, apply_rule, run_rule

from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, run
from archfix.merge import build
from archfix.merge.verify import DUMP
from archfix.runner import Overrides, config_for

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "broken_backend"
ARCHFIX = [sys.executable, "-m", "archfix"]
VARIANTS = ["app.main", "app.main_minimal", "app.main_incremental", "app.main_simple"]


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENABLE_")}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(root), JWT_SECRET_KEY="x", **extra)
    return env


def _copy(dest: Path) -> Path:
    """A copy of the example; its pyproject.toml already gives verification a dummy secret."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    assert "verify-env" in (dest / "pyproject.toml").read_text()
    return dest


def _archfix(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARCHFIX, *args, str(root)], capture_output=True, text=True, env=_env(root), timeout=600
    )


def _dump(root: Path, modules: list[str], **env: str) -> dict[str, dict]:
    proc = subprocess.run(
        [sys.executable, "-c", DUMP, *[f"{m}:app" for m in modules]],
        capture_output=True,
        text=True,
        cwd=root,
        env=_env(root, **env),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    raw = json.loads(proc.stdout.split("@@ARCHFIX@@")[-1])
    return {spec.removesuffix(":app"): dump for spec, dump in raw.items()}


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(all rules applied, all rules but merge-entrypoints applied) on two copies of the example."""
    base = tmp_path_factory.mktemp("merge")
    merged, reference = _copy(base / "merged"), _copy(base / "reference")
    done = _archfix(merged, "fix", "--apply")
    assert done.returncode in (0, 1), done.stderr
    ref = _archfix(reference, "fix", "--apply", "--ignore", "merge-entrypoints")
    assert ref.returncode in (0, 1), ref.stderr
    return merged, reference


def test_exactly_one_module_builds_the_app_and_variants_are_shims(fixed: tuple[Path, Path]) -> None:
    merged, _ = fixed
    builders = [p.name for p in (merged / "app").glob("main*.py") if "FastAPI(" in p.read_text()]
    assert builders == ["main.py"]
    assert "def create_app(profile" in (merged / "app" / "main.py").read_text()
    for name in ("main_minimal.py", "main_incremental.py", "main_simple.py"):
        lines = [ln for ln in (merged / "app" / name).read_text().splitlines() if ln.strip()]
        assert len(lines) <= 15, name
        assert any("create_app(" in ln for ln in lines)


def test_each_former_module_serves_the_same_app(fixed: tuple[Path, Path]) -> None:
    merged, reference = fixed
    after = _dump(merged, VARIANTS)  # all in one process: each gets its own app
    for module in VARIANTS:
        before = _dump(reference, [module])[module]
        assert "error" not in before and "error" not in after[module]
        assert after[module]["routes"] == before["routes"], module
        assert after[module]["middleware"] == before["middleware"], module
        assert after[module]["settings"] == before["settings"], module
    assert len({json.dumps(after[m]["routes"]) for m in VARIANTS}) > 1


def test_health_route_answers_for_every_profile(fixed: tuple[Path, Path]) -> None:
    merged, _ = fixed
    code = (
        "import importlib, sys\n"
        "from fastapi.testclient import TestClient\n"
        "for name in sys.argv[1:]:\n"
        "    app = importlib.import_module(name).app\n"
        "    assert TestClient(app).get('/health').status_code == 200, name\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *VARIANTS],
        capture_output=True,
        text=True,
        cwd=merged,
        env=_env(merged),
        timeout=300,
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def test_enable_monitoring_false_removes_monitoring_middleware(fixed: tuple[Path, Path]) -> None:
    merged, _ = fixed

    def monitoring(dump: dict) -> list[str]:
        return [m["class"] for m in dump["middleware"] if ".monitoring." in m["class"]]

    assert monitoring(_dump(merged, ["app.main"])["app.main"])
    off = _dump(merged, ["app.main"], ENABLE_MONITORING="false")["app.main"]
    assert "error" not in off and not monitoring(off)


def test_minimal_profile_does_not_import_full_only_modules(
    fixed: tuple[Path, Path], tmp_path: Path
) -> None:
    copy = tmp_path / "broken"
    shutil.copytree(fixed[0], copy)
    for rel in ("app/middleware/knowledge_graph.py", "app/middleware/monitoring.py"):
        (copy / rel).write_text("raise RuntimeError('full-only module imported')\n")
    dump = _dump(copy, ["app.main_minimal"])["app.main_minimal"]
    assert "error" not in dump, dump
    assert "/health" in [r["path"] for r in dump["routes"]]
    assert "error" in _dump(copy, ["app.main"])["app.main"]


def test_second_run_prints_no_diff(fixed: tuple[Path, Path]) -> None:
    merged, _ = fixed
    again = _archfix(merged, "fix", "--select", "merge-entrypoints")
    assert "+++" not in again.stdout, again.stdout


def test_dry_run_shows_the_merge_as_a_diff(tmp_path: Path) -> None:
    root = _copy(tmp_path / "dry")
    report = tmp_path / "merge.html"
    proc = _archfix(root, "fix", "--select", "merge-entrypoints", "--html", str(report))
    assert "app/main_minimal.py" in proc.stdout
    assert '+app = create_app("minimal")' in proc.stdout
    assert "def create_app" in proc.stdout
    html = report.read_text()
    assert "main_minimal.py" in html and "def create_app" in html
    assert "create_app(&quot;minimal&quot;)" in html


# --- verification, in process on a golden input ---------------------------------------------


def _golden(name: str, dest: Path) -> Path:
    shutil.copytree(GOLDEN / "merge-entrypoints" / name / "input", dest)
    (dest / ".git").mkdir()
    return dest


def test_a_wrong_merge_is_caught_and_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _golden("lite", tmp_path / "lite")
    real = build.render

    def dropping_a_route(plan: build.Plan, line_length: int = 88) -> str:
        return real(plan, line_length).replace(
            'application.include_router(admin, prefix="/admin")', "pass"
        )

    monkeypatch.setattr(build, "render", dropping_a_route)
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    assert not result.changes
    [finding] = result.findings
    assert "routes lost" in finding.message and "/admin/stats" in finding.message
    assert not finding.applied


def test_unverifiable_merge_needs_no_verify(tmp_path: Path) -> None:
    root = _golden("ctor_only", tmp_path / "ctor")
    routes = root / "web" / "routes.py"
    routes.write_text("import not_installed_anywhere\n" + routes.read_text())
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    assert not result.changes
    assert "verification could not run" in result.findings[0].message
    config = config_for(root, Overrides(select=("merge-entrypoints",)))
    options = RunOptions(policy=FixPolicy(apply=True), verify=False)
    assert run(root, [root], config, options).changes


def test_merged_module_is_rendered_only_when_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """black costs ~0.15 s per merged module: a check run or an original that does not import
    never renders it; a verified merge renders it once."""
    real = build.render
    calls: list[str] = []

    def counting(plan: build.Plan, line_length: int = 88) -> str:
        calls.append(plan.app_name)
        return real(plan, line_length)

    monkeypatch.setattr(build, "render", counting)
    root = _golden("ctor_only", tmp_path / "ctor")
    assert run_rule(root, "merge-entrypoints", apply=False, unsafe=False).findings
    assert calls == []
    assert run_rule(root, "merge-entrypoints", apply=True, unsafe=False).changes
    assert len(calls) == 1
    broken = _golden("ctor_only", tmp_path / "broken")
    routes = broken / "web" / "routes.py"
    routes.write_text("import not_installed_anywhere\n" + routes.read_text())
    calls.clear()
    result = run_rule(broken, "merge-entrypoints", apply=True, unsafe=False)
    assert "verification could not run" in result.findings[0].message
    assert calls == []


def test_variants_with_different_side_effects_are_reported(tmp_path: Path) -> None:
    root = _golden("side_effect", tmp_path / "side")
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    assert not result.changes
    assert "side effect" in result.findings[0].message


# --- one router loader: optional routers are logged and skipped, required ones raise ------------

_LOAD = (
    "import importlib, json, logging, sys\n"
    "from fastapi.testclient import TestClient\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "app = importlib.import_module(sys.argv[1]).app\n"
    "status = TestClient(app).get('/status/routers').json() if len(sys.argv) > 2 else None\n"
    "print('@@' + json.dumps({'paths': sorted(app.openapi()['paths']), 'status': status}))\n"
)


def _load(root: Path, module: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LOAD, module, *extra],
        capture_output=True,
        text=True,
        cwd=root,
        env=_env(root),
        timeout=300,
    )


def test_router_loops_become_one_loader_with_incremental_error_handling(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(GOLDEN / "merge-entrypoints" / "router_loader" / "expected", root)
    main = (root / "api" / "main.py").read_text()
    assert main.count("import_module(") == 1  # one loader, not one loop per variant
    assert 'REQUIRED_ROUTERS: tuple[str, ...] = ("auth",)' in main  # the required-routers option

    (root / "api" / "routers" / "users.py").write_text("raise RuntimeError('users is broken')\n")
    proc = _load(root, "api.main_incremental", "status")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.split("@@")[-1])
    assert "/auth/" in out["paths"] and "/users/" not in out["paths"]
    assert out["status"] == {
        "loaded": ["auth"],
        "failed": {"users": "RuntimeError: users is broken"},
    }
    assert "Router users failed to load" in proc.stderr
    assert "Traceback" in proc.stderr and "users is broken" in proc.stderr
    # The full profile now handles an optional router the same way.
    full = _load(root, "api.main")
    assert full.returncode == 0, full.stderr
    paths = json.loads(full.stdout.split("@@")[-1])["paths"]
    assert "/auth/" in paths and "/orders/" in paths and "/users/" not in paths
    assert "Router api.routers.users failed to load" in full.stderr and "Traceback" in full.stderr

    (root / "api" / "routers" / "auth.py").write_text("raise RuntimeError('auth is broken')\n")
    for module in ("api.main_incremental", "api.main"):
        proc = _load(root, module)
        assert proc.returncode != 0, module
        assert "RuntimeError: auth is broken" in proc.stderr
        assert "@@" not in proc.stdout


def test_router_loop_that_lets_errors_through_is_kept_and_said(tmp_path: Path) -> None:
    root = _golden("example", tmp_path / "example")
    result = run_rule(root, "merge-entrypoints", apply=False, unsafe=False)
    [finding] = result.findings
    assert "router loops kept as they are" in finding.message
    assert (
        "main.py's router loop" in finding.message
        and "import errors stop the app" in finding.message
    )


# --- one flag for a registration made with different argument values ---------------------------


def test_same_registration_with_other_values_is_one_block_with_per_profile_values(
    tmp_path: Path,
) -> None:
    root = tmp_path / "svc"
    shutil.copytree(GOLDEN / "merge-entrypoints" / "same_registration" / "expected", root)
    main = (root / "svc" / "main.py").read_text()
    assert main.count("app.add_middleware(\n        CORSMiddleware") == 1  # one CORS block
    assert (
        "ENABLE_CORS_PUBLIC" not in main and "ENABLE_GZIP_PUBLIC" in main
    )  # other keywords: kept apart
    dumps = _dump(root, ["svc.main", "svc.main_public"])
    cors = {
        module: next(
            m["options"] for m in dump["middleware"] if m["class"].endswith("CORSMiddleware")
        )
        for module, dump in dumps.items()
    }
    assert cors["svc.main"]["allow_origins"] == "['https://shop.example']"
    assert cors["svc.main"]["allow_credentials"] == "True"
    assert cors["svc.main_public"] == {"allow_credentials": "False", "allow_origins": "['*']"}
    # A value only one profile uses is imported in its branch: the public profile never imports it.
    (root / "svc" / "config.py").write_text("raise RuntimeError('config imported')\n")
    public = _dump(root, ["svc.main_public"])["svc.main_public"]
    assert "error" not in public, public
    assert "error" in _dump(root, ["svc.main"])["svc.main"]


@pytest.mark.parametrize("line_length", [60, 120])
def test_merged_module_follows_the_project_line_length(line_length: int, tmp_path: Path) -> None:
    """The merged entry point is black's layout at the project's [tool.black] line-length."""
    import black

    root = _golden("lite", tmp_path / "lite")
    (root / "pyproject.toml").write_text(f"[tool.black]\nline-length = {line_length}\n")
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    merged = [c.new_text for c in result.changes if c.new_text and "def create_app" in c.new_text]
    assert len(merged) == 1
    text = merged[0]
    assert black.format_str(text, mode=black.Mode(line_length=line_length)) == text
    if line_length == 60:
        assert black.format_str(text, mode=black.Mode()) != text, "60 columns must wrap more"


_LOG_NAME = (
    "import importlib, logging, sys\n"
    "from fastapi.testclient import TestClient\n"
    "names = []\n"
    "class Keep(logging.Handler):\n"
    "    def emit(self, record):\n"
    "        if record.name.startswith('app'):\n"
    "            names.append(record.name)\n"
    "logging.getLogger().addHandler(Keep())\n"
    "logging.getLogger().setLevel(logging.INFO)\n"
    "TestClient(importlib.import_module(sys.argv[1]).app).get('/')\n"
    "print('@@' + ','.join(names))\n"
)


def test_each_profile_keeps_its_modules_logger_name(tmp_path: Path) -> None:
    """``logging.getLogger(__name__)`` moved into create_app() must still name each profile's
    own module: log configuration and filters select loggers by that name."""
    root = _golden("module_name_per_profile", tmp_path / "svc")

    def logger_names() -> dict[str, str]:
        out = {}
        for module in ("app.main", "app.main_minimal"):
            proc = subprocess.run(
                [sys.executable, "-c", _LOG_NAME, module],
                capture_output=True,
                text=True,
                cwd=root,
                env=_env(root),
                timeout=300,
            )
            assert proc.returncode == 0, proc.stderr
            out[module] = proc.stdout.split("@@")[-1].strip()
        return out

    before = logger_names()
    assert before == {"app.main": "app.main", "app.main_minimal": "app.main_minimal"}
    result = apply_rule(root, "merge-entrypoints", unsafe=False)
    assert {c.path.name for c in result.changes} == {"main.py", "main_minimal.py"}
    assert "create_app" in (root / "app" / "main.py").read_text()
    assert logger_names() == before


def test_the_applied_merge_is_counted_as_a_fixed_finding(tmp_path: Path) -> None:
    """The next round finds no family (it is merged): its finding must not vanish from the
    result, or `fix` says it would fix 0 findings in the files it changes."""
    root = _golden("module_name_per_profile", tmp_path / "svc")
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    assert result.changes
    assert [(f.rule_id, f.applied) for f in result.findings] == [("merge-entrypoints", True)]
