"""The example backend really has the defects that the architecture review lists.

archfix's rules are meant to find and repair these, so each test here proves one
defect on an untouched copy of ``examples/broken_backend``. Everything that imports
the example runs in a subprocess, so its settings, module cache and the sqlite URL
never leak into the test process.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken_backend"

# Settings fields the example reads from the environment; cleared for every run so the
# developer's shell cannot change the outcome.
SETTINGS_ENV = (
    "ENVIRONMENT",
    "PRODUCTION",
    "LOG_LEVEL",
    "JWT_SECRET_KEY",
    "CORS_ORIGINS",
    "RATE_LIMIT_PER_MINUTE",
    "FORCE_HTTPS",
    "DATABASE_URL",
    "GCP_PROJECT",
    "ENABLE_MONITORING",
    "ENABLE_KNOWLEDGE_GRAPH",
)

ENTRY_MODULES = ("app.main", "app.main_minimal", "app.main_incremental", "app.main_simple")


def run_snippet(root: Path, code: str, **env: str) -> tuple[int, str, str]:
    """Run ``code`` in a fresh interpreter inside ``root``: (returncode, stdout, stderr)."""
    full_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    full_env.update(PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1", **env)
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", textwrap.dedent(code)],
        cwd=root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


def last_json_line(stdout: str) -> object:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "broken_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return root


def module_level_imports(path: Path) -> set[str]:
    """Fully qualified names imported by top-level statements (``from a import b`` -> ``a.b``)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


# --- Configuration (review 2.1, 4.1, 7.1.2) ------------------------------------------


def test_settings_fail_with_name_error_without_jwt_secret(backend: Path) -> None:
    rc, _, err = run_snippet(backend, "from app.core.config import settings")
    assert rc != 0
    assert "NameError" in err
    assert "_get_secret" in err


def test_settings_load_when_jwt_secret_is_set(backend: Path) -> None:
    code = """
        from app.core.config import settings
        print(settings.JWT_SECRET_KEY)
        print(settings.DATABASE_URL)
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    # The DATABASE_URL validator hits the same NameError and silently keeps the default.
    assert out.split() == ["test", "sqlite:///./app.db"]


def test_get_secret_is_called_but_never_defined(backend: Path) -> None:
    config = backend / "app" / "core" / "config.py"
    tree = ast.parse(config.read_text())
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "_get_secret" in called
    assert "_get_secret" not in top_level_names(config)


def test_config_and_secret_manager_import_each_other(backend: Path) -> None:
    core = backend / "app" / "core"
    assert "app.core.secret_manager" in module_level_imports(core / "config.py")
    assert "app.core.config" in module_level_imports(core / "secret_manager.py")
    # The cycle still imports in either order (when the secret is set).
    for first, second in (("config", "secret_manager"), ("secret_manager", "config")):
        code = f"import app.core.{first}, app.core.{second}"
        rc, _, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
        assert rc == 0, err


# --- Database modules (review 2.1, 6.1, 6.2) -----------------------------------------


def test_get_db_lives_in_database_not_in_db_base(backend: Path) -> None:
    assert "get_db" in top_level_names(backend / "app" / "database.py")
    assert "get_db" not in top_level_names(backend / "app" / "db" / "base.py")
    assert "Base" in top_level_names(backend / "app" / "db" / "base.py")


def test_production_pool_is_oversized(backend: Path) -> None:
    tree = ast.parse((backend / "app" / "database.py").read_text())
    pools = [
        {kw.arg: kw.value.value for kw in node.keywords if isinstance(kw.value, ast.Constant)}
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "create_engine"
    ]
    assert {"pool_size": 50, "max_overflow": 100, "pool_pre_ping": True} in pools


@pytest.mark.parametrize("module", ["app.api.routes.auth", "app.api.routes.users"])
def test_routes_import_get_db_from_wrong_module(backend: Path, module: str) -> None:
    rc, _, err = run_snippet(backend, f"import {module}", JWT_SECRET_KEY="test")
    assert rc != 0
    assert "ImportError" in err
    assert "cannot import name 'get_db' from 'app.db.base'" in err


def test_items_route_imports_but_fails_at_request_time(backend: Path) -> None:
    code = """
        from fastapi.testclient import TestClient
        from app.main import app
        with TestClient(app) as client:
            try:
                client.get("/api/v1/items/")
            except AttributeError as exc:
                print(exc)
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    assert "get_db" in out


# --- Production entry point (review 2.3, 3.1, 5.1) -----------------------------------


def test_main_starts_without_auth_routes_and_with_duplicate_middleware(backend: Path) -> None:
    code = """
        import json
        from app.main import app
        paths = sorted(app.openapi()["paths"])
        middleware = [m.cls.__name__ for m in app.user_middleware]
        print(json.dumps({"paths": paths, "middleware": middleware}))
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    result = last_json_line(out)
    assert "/health" in result["paths"]
    assert "/.well-known/jwks.json" in result["paths"]
    assert not [p for p in result["paths"] if p.startswith("/api/v1/auth")]
    # The failure is only a warning in the log.
    assert "Failed to load app.api.routes.auth" in err
    assert result["middleware"].count("PerformanceOptimizationMiddleware") == 2
    # Registration order (first added = innermost) is exactly the review's list.
    assert list(reversed(result["middleware"])) == [
        "EnhancedHTTPSRedirectMiddleware",
        "RequestTrackingMiddleware",
        "CORSMiddleware",
        "TraceContextMiddleware",
        "KnowledgeGraphMiddleware",
        "PerformanceOptimizationMiddleware",
        "PerformanceOptimizationMiddleware",
        "PrometheusMiddlewareV2",
        "APIVersioningMiddleware",
        "SecurityMonitoringMiddleware",
        "RateLimitMiddleware",
        "SecurityHeadersMiddleware",
        "CSRFMiddleware",
    ]


def test_lifespan_sets_up_tracing_twice(backend: Path) -> None:
    code = """
        from fastapi.testclient import TestClient
        from app.main import app
        from app.services import tracing
        before = tracing.setup_calls
        with TestClient(app):
            pass
        print(before, tracing.setup_calls)
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    assert out.split()[-2:] == ["0", "2"]


def test_rate_limited_response_lacks_cors_headers(backend: Path) -> None:
    code = """
        import json
        from fastapi.testclient import TestClient
        from app.main import app
        headers = {"Origin": "https://app.example.com"}
        with TestClient(app) as client:
            responses = [client.get("/health", headers=headers) for _ in range(2)]
        print(json.dumps([[r.status_code, dict(r.headers)] for r in responses]))
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test", RATE_LIMIT_PER_MINUTE="1")
    assert rc == 0, err
    (first_status, first_headers), (second_status, second_headers) = last_json_line(out)
    assert first_status == 200
    assert first_headers["access-control-allow-origin"] == "https://app.example.com"
    # CORS runs inside the rate limiter, so the browser cannot even read the 429.
    assert second_status == 429
    assert "access-control-allow-origin" not in second_headers


# --- Entry points (review 1) ---------------------------------------------------------


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_every_entry_point_serves_health(backend: Path, module: str) -> None:
    code = f"""
        from fastapi.testclient import TestClient
        from {module} import app
        with TestClient(app) as client:
            response = client.get("/health")
        print(response.status_code, response.json()["status"])
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    assert out.split()[-2:] == ["200", "ok"]


def test_minimal_entry_point_skips_optional_features(backend: Path) -> None:
    code = """
        import sys
        import app.main_minimal
        loaded = [m for m in sys.modules if "knowledge_graph" in m or "monitoring" in m]
        print(loaded)
    """
    rc, out, err = run_snippet(backend, code, JWT_SECRET_KEY="test")
    assert rc == 0, err
    assert out.strip() == "[]"
