"""The start-up rules on the example backend: its settings initialise, its lifespan sets up tracing
once, optional services and routers fail softly while required ones fail fast.

Every test works on a fixed copy of ``examples/broken_backend`` and imports it in a subprocess
(``run_snippet``), so the example is never written and its settings never leak into this process.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_example_defects import EXAMPLE, last_json_line, run_snippet

SECRET = "s3cret-value-for-tests"


def fixed_copy(dest: Path, *, unsafe: bool = False, extra_config: str = "") -> Path:
    """A copy of the example after ``archfix fix --apply`` (all rules)."""
    root = dest / "broken_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    (root / ".git").mkdir()  # the project root for discovery
    if extra_config:
        pyproject = root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text() + "\n" + textwrap.dedent(extra_config))
    args = [sys.executable, "-m", "archfix", "fix", "--apply", str(root)]
    if unsafe:
        args.append("--unsafe-fixes")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "Fixed" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return root


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixed_copy(tmp_path_factory.mktemp("fixed"))


REQUIRED = """
    [tool.archfix.silent-route-import]
    required-routers = ["app.api.routes.items", "csrf"]

    [tool.archfix.unisolated-startup]
    required-services = ["db_optimization_manager.*"]
"""


@pytest.fixture(scope="module")
def fixed_unsafe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixed_copy(tmp_path_factory.mktemp("fixed_unsafe"), unsafe=True, extra_config=REQUIRED)


def writable_copy(root: Path, dest: Path) -> Path:
    """A copy of an already fixed tree that a test may break on purpose."""
    target = dest / "backend"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return target


# --- missing-secret-helper -------------------------------------------------------------------


def test_settings_load_the_secret_from_the_environment(fixed: Path) -> None:
    code = """
        from app.core.config import settings
        print(settings.JWT_SECRET_KEY)
    """
    rc, out, err = run_snippet(fixed, code, JWT_SECRET_KEY=SECRET)
    assert rc == 0, err
    assert out.split() == [SECRET]


def test_missing_secret_error_names_the_secret(fixed: Path) -> None:
    rc, _, err = run_snippet(fixed, "from app.core.config import settings")
    assert rc != 0
    assert "NameError" not in err
    last = err.strip().splitlines()[-1]
    assert "JWT_SECRET_KEY" in last, err


def test_get_secret_is_defined_exactly_once(fixed: Path) -> None:
    tree = ast.parse((fixed / "app" / "core" / "config.py").read_text())
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_get_secret"]
    assert len(defs) == 1
    assert defs[0] in tree.body, "the helper is a module-level function"


def test_finding_names_the_existing_getter(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    (root / ".git").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "archfix", "check", "--select", "missing-secret-helper", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in proc.stdout.splitlines() if ": missing-secret-helper " in line]
    assert len(lines) == 1, proc.stdout
    assert "app/core/config.py:" in lines[0]
    assert "app.core.secret_manager.get_secret" in lines[0]


HELPER_CALLS = """
    import json

    print(json.dumps([
        _get_secret("PRESENT"),
        _get_secret("ABSENT", default=None),
        _get_secret("ABSENT", "fallback"),
        _get_secret("IN_SECRET_MANAGER", default="unused"),
        _get_secret("NOT_IN_SECRET_MANAGER", default="fallback"),
    ]))
    _get_secret("ABSENT")
"""

FAKE_SECRET_MANAGER = {
    "google/api_core/exceptions.py": "class NotFound(Exception):\n    pass\n",
    "google/cloud/secretmanager.py": """
        from google.api_core.exceptions import NotFound


        class _Payload:
            def __init__(self, data):
                self.data = data


        class _Response:
            def __init__(self, data):
                self.payload = _Payload(data)


        class SecretManagerServiceClient:
            def access_secret_version(self, request):
                name = request["name"]
                if name != "projects/proj-1/secrets/IN_SECRET_MANAGER/versions/latest":
                    raise NotFound(name)
                return _Response(b"from-secret-manager")
    """,
}


def _helper_module(tmp_path: Path) -> Path:
    """A module that calls _get_secret in every supported shape, fixed by the rule."""
    root = tmp_path / "svc"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "settings_module.py").write_text(textwrap.dedent(HELPER_CALLS))
    proc = subprocess.run(
        [sys.executable, "-m", "archfix", "fix", "--apply", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Fixed" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return root


def test_helper_reads_environment_then_default_then_raises(tmp_path: Path) -> None:
    root = _helper_module(tmp_path)
    rc, out, err = run_snippet(root, "import settings_module", PRESENT="env-value")
    assert last_json_line(out) == ["env-value", None, "fallback", "unused", "fallback"]
    assert rc != 0
    assert "RuntimeError" in err and "ABSENT" in err.strip().splitlines()[-1]


def test_helper_reads_secret_manager_when_a_project_is_set(tmp_path: Path) -> None:
    root = _helper_module(tmp_path)
    for rel, text in FAKE_SECRET_MANAGER.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    rc, out, _ = run_snippet(
        root, "import settings_module", PRESENT="env-value", GOOGLE_CLOUD_PROJECT="proj-1"
    )
    assert last_json_line(out) == [
        "env-value",
        None,
        "fallback",
        "from-secret-manager",
        "fallback",
    ]
    assert rc != 0


def test_helper_skips_secret_manager_when_the_library_is_missing(tmp_path: Path) -> None:
    root = _helper_module(tmp_path)
    code = """
        import sys
        sys.modules["google.cloud"] = None  # importing google.cloud.* raises ImportError
        import settings_module
    """
    rc, out, err = run_snippet(root, code, PRESENT="x", GOOGLE_CLOUD_PROJECT="proj-1")
    assert last_json_line(out) == ["x", None, "fallback", "unused", "fallback"]
    assert rc != 0
    assert "ABSENT" in err.strip().splitlines()[-1]


# --- duplicate-startup-call ------------------------------------------------------------------

LIFESPAN_TRACING = """
    import json
    from fastapi.testclient import TestClient
    from app.main import app
    from app.services import tracing
    before = tracing.setup_calls
    with TestClient(app):
        pass
    print(json.dumps(tracing.setup_calls - before))
"""


def test_lifespan_sets_up_tracing_once(fixed: Path) -> None:
    rc, out, err = run_snippet(fixed, LIFESPAN_TRACING, JWT_SECRET_KEY=SECRET)
    assert rc == 0, err
    assert last_json_line(out) == 1


# --- unisolated-startup ----------------------------------------------------------------------


def _break_service(root: Path, module: str, cls: str, message: str) -> None:
    path = root / "app" / "services" / f"{module}.py"
    path.write_text(
        path.read_text()
        + textwrap.dedent(
            f"""

            async def _broken_start(self) -> None:
                raise RuntimeError({message!r})


            {cls}.start = _broken_start
            """
        )
    )


def test_optional_service_failure_is_logged_and_the_app_starts(
    fixed_unsafe: Path, tmp_path: Path
) -> None:
    root = writable_copy(fixed_unsafe, tmp_path)
    _break_service(root, "story_scheduler", "StoryOpportunityScheduler", "scheduler down")
    code = """
        from fastapi.testclient import TestClient
        from app.main import app
        with TestClient(app) as client:
            print(client.get("/health").status_code)
    """
    rc, out, err = run_snippet(root, code, JWT_SECRET_KEY=SECRET)
    assert rc == 0, err
    assert out.split()[-1] == "200"
    assert "story_scheduler.start() failed at startup" in err
    assert "RuntimeError: scheduler down" in err, "the traceback is logged"


def test_required_service_still_fails_fast(fixed_unsafe: Path, tmp_path: Path) -> None:
    root = writable_copy(fixed_unsafe, tmp_path)
    _break_service(root, "db_optimization", "DatabaseOptimizationManager", "db maintenance down")
    code = """
        from fastapi.testclient import TestClient
        from app.main import app
        with TestClient(app):
            pass
    """
    rc, _, err = run_snippet(root, code, JWT_SECRET_KEY=SECRET)
    assert rc != 0
    assert "db maintenance down" in err.strip().splitlines()[-1]


# --- silent-route-import ---------------------------------------------------------------------

ROUTES = """
    import json
    from app.main import app
    print(json.dumps(sorted(app.openapi()["paths"])))
"""


def _break_router(root: Path, name: str) -> None:
    path = root / "app" / "api" / "routes" / f"{name}.py"
    path.write_text(path.read_text() + '\nraise ImportError("boom")\n')


@pytest.mark.parametrize(
    ("router", "logged"),
    [
        ("items", "Failed to load app.api.routes.items"),  # loaded in the import_module loop
        ("csrf", "Router app.api.routes.csrf failed to load"),  # its own try block
    ],
)
def test_required_router_failure_is_logged_and_reraised(
    fixed_unsafe: Path, tmp_path: Path, router: str, logged: str
) -> None:
    root = writable_copy(fixed_unsafe, tmp_path)
    _break_router(root, router)
    rc, _, err = run_snippet(root, "import app.main", JWT_SECRET_KEY=SECRET)
    assert rc != 0
    assert "ERROR" in err and logged in err, err
    assert err.strip().splitlines()[-1] == "ImportError: boom"


def test_optional_router_failures_leave_the_others_loaded(
    fixed_unsafe: Path, tmp_path: Path
) -> None:
    root = writable_copy(fixed_unsafe, tmp_path)
    _break_router(root, "knowledge_graph")
    _break_router(root, "jwks")
    rc, out, err = run_snippet(root, ROUTES, JWT_SECRET_KEY=SECRET)
    assert rc == 0, err
    paths = last_json_line(out)
    assert isinstance(paths, list)
    assert any(p.startswith("/api/v1/items") for p in paths)
    assert any(p.startswith("/api/v1/csrf") for p in paths)
    assert any(p.startswith("/api/v1/auth") for p in paths)
    assert not any(p.startswith("/api/v1/knowledge-graph") for p in paths)
    assert "/.well-known/jwks.json" not in paths
    # Each failure is logged with its traceback, then one summary names both.
    assert err.count("ImportError: boom") == 2, err
    summary = [line for line in err.splitlines() if "Routers not loaded" in line]
    assert len(summary) == 1
    assert "app.api.routes.knowledge_graph" in summary[0]
    assert "app.api.routes.jwks" in summary[0]


def test_without_failures_every_router_loads_and_nothing_is_summarised(fixed_unsafe: Path) -> None:
    rc, out, err = run_snippet(fixed_unsafe, ROUTES, JWT_SECRET_KEY=SECRET)
    assert rc == 0, err
    paths = last_json_line(out)
    assert isinstance(paths, list)
    assert "/.well-known/jwks.json" in paths
    assert any(p.startswith("/api/v1/knowledge-graph") for p in paths)
    assert "Routers not loaded" not in err


@pytest.mark.parametrize(
    ("config", "wrapped"),
    [
        ("", True),
        ("[tool.black]\nline-length = 120\n", False),
        ("[tool.ruff]\nline-length = 120\n", False),
        ("[tool.black]\nline-length = 88\n[tool.ruff]\nline-length = 120\n", True),
    ],
)
def test_generated_log_calls_are_laid_out_by_black(
    config: str, wrapped: bool, tmp_path: Path
) -> None:
    """The try/except that unisolated-startup and silent-route-import write is black's layout at
    the depth it lands, for the project's line length; the user's own lines are left alone."""
    import black

    from archfix.codemods.base import FixPolicy
    from archfix.engine import RunOptions, run
    from archfix.runner import Overrides, config_for

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'svc'\n" + config)
    own = "kept   =  'the user''s own layout'"
    source = textwrap.dedent(
        f"""\
        import logging

        from fastapi import FastAPI

        log = logging.getLogger(__name__)
        app = FastAPI()
        {own}


        @app.on_event("startup")
        async def startup() -> None:
            if app.state:
                await exporter.initialize_connection()


        try:
            from app.routes import reports
        except ImportError:
            pass
        """
    )
    (tmp_path / "main.py").write_text(source)
    selected = Overrides(select=("unisolated-startup", "silent-route-import"))
    policy = FixPolicy(apply=True, unsafe=True)
    result = run(
        tmp_path, [tmp_path], config_for(tmp_path, selected), RunOptions(policy, cache=False)
    )
    (change,) = result.changes
    out = change.new_text
    assert own in out
    length = 88 if wrapped else 120
    black_mode = black.Mode(line_length=length)
    assert black.format_str(out.replace(own, "kept = 1"), mode=black_mode) == out.replace(
        own, "kept = 1"
    )
    assert ("log.exception(\n" in out) is wrapped
    assert "Router app.routes.reports failed to load" in out
