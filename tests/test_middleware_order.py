"""middleware-order: the fixed example runs its middleware in a safe order, and behaves like it.

The acceptance is behavioural: after ``archfix fix --apply`` on a copy of the example backend, the
app's ``user_middleware`` (outermost first) satisfies the policy, and a real request refused by the
rate limiter still carries the security and CORS headers. The same check fails on the unfixed copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archfix.codemods.middleware_order import (
    DEFAULT_CONSTRAINTS,
    Constraint,
    Policy,
    desired_order,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken_backend"

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

# Runs inside the (fixed or unfixed) copy: the stack outermost first, and three real requests.
PROBE = """
    import json
    from fastapi.testclient import TestClient
    from app.main import app

    stack = [m.cls.__name__ for m in app.user_middleware]
    origin = {"Origin": "https://app.example.com"}
    with TestClient(app) as client:
        first = client.get("/health", headers={**origin, "X-Forwarded-For": "10.0.0.1"})
        limited = client.get("/health", headers={**origin, "X-Forwarded-For": "10.0.0.1"})
        preflight = client.options(
            "/health",
            headers={
                **origin,
                "Access-Control-Request-Method": "GET",
                "X-Forwarded-For": "10.0.0.2",
            },
        )
    print(json.dumps({
        "stack": stack,
        "responses": {
            name: [r.status_code, {k.lower(): v for k, v in r.headers.items()}]
            for name, r in (("first", first), ("limited", limited), ("preflight", preflight))
        },
    }))
"""


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    env.update(PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1", **extra)
    return env


def probe(root: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", textwrap.dedent(PROBE)],
        cwd=root,
        env=_env(root, JWT_SECRET_KEY="test", RATE_LIMIT_PER_MINUTE="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def archfix(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "archfix", *args],
        cwd=root,
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def assert_safe_stack(result: dict) -> None:
    """The acceptance, in execution order (``user_middleware[0]`` sees the request first)."""
    stack = result["stack"]
    assert len(stack) == len(set(stack)), f"a middleware is registered twice: {stack}"
    at = stack.index
    assert stack[0] == "EnhancedHTTPSRedirectMiddleware", stack
    for tracker in ("RequestTrackingMiddleware", "TraceContextMiddleware"):
        assert at(tracker) < at("RateLimitMiddleware"), stack
        assert at(tracker) < at("CSRFMiddleware"), stack
    assert at("SecurityHeadersMiddleware") < at("CORSMiddleware"), stack
    assert at("SecurityHeadersMiddleware") < at("CSRFMiddleware"), stack
    assert at("CORSMiddleware") < at("RateLimitMiddleware"), stack
    assert at("CORSMiddleware") < at("CSRFMiddleware"), stack
    for inner in (
        "CSRFMiddleware",
        "SecurityMonitoringMiddleware",
        "APIVersioningMiddleware",
        "PerformanceOptimizationMiddleware",
        "KnowledgeGraphMiddleware",
    ):
        assert at("RateLimitMiddleware") < at(inner), stack

    responses = result["responses"]
    status, _ = responses["first"]
    assert status == 200
    status, headers = responses["limited"]
    assert status == 429
    assert headers.get("x-content-type-options") == "nosniff", headers
    assert headers.get("access-control-allow-origin") == "https://app.example.com", headers
    status, headers = responses["preflight"]
    assert status == 200
    assert "access-control-allow-methods" in headers, headers
    assert headers.get("x-content-type-options") == "nosniff", headers


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "broken_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return root


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _copy(tmp_path_factory.mktemp("fixed"))
    archfix(root, "fix", "--apply")
    return root


def test_fixed_example_runs_middleware_in_a_safe_order(fixed: Path) -> None:
    assert_safe_stack(probe(fixed))


def test_unfixed_example_fails_the_same_check(tmp_path: Path) -> None:
    result = probe(_copy(tmp_path))
    with pytest.raises(AssertionError):
        assert_safe_stack(result)
    # Specifically: CORS runs inside the rate limiter, so the browser cannot read the 429.
    assert "access-control-allow-origin" not in result["responses"]["limited"][1]


def test_second_run_prints_no_diff(fixed: Path) -> None:
    proc = archfix(fixed, "fix", "--select", "middleware-order,duplicate-middleware")
    assert proc.stdout == "", proc.stdout
    everything = archfix(fixed, "fix")
    assert "app/main.py" not in everything.stdout, everything.stdout


def test_finding_shows_reasons_and_the_request_path(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    proc = archfix(root, "check", "--select", "middleware-order")
    blocks = proc.stdout.split("\napp/")
    main = [b for b in blocks if b.startswith(("main.py:", "app/main.py:"))]
    assert len(main) == 1, proc.stdout
    lines = main[0].splitlines()
    assert "    before: request -> CSRFMiddleware -> SecurityHeadersMiddleware" in "\n".join(lines)
    assert any(
        line.startswith("    before: ")
        and line.endswith("-> EnhancedHTTPSRedirectMiddleware -> app")
        for line in lines
    )
    assert any(
        line.startswith("    after:  request -> EnhancedHTTPSRedirectMiddleware") for line in lines
    )
    assert "a 401/403/429 must stay readable by the browser" in main[0]
    report = tmp_path / "report.html"
    archfix(root, "fix", "--select", "middleware-order", "--html", str(report))
    html = report.read_text()
    assert "before: request -&gt; CSRFMiddleware" in html
    assert "after:  request -&gt; EnhancedHTTPSRedirectMiddleware" in html


def test_undeclared_custom_middleware_make_the_fix_unsafe(tmp_path: Path) -> None:
    """Without the example's declaration of its own middleware, moving across them is unsafe."""
    root = _copy(tmp_path)
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().split("# The service's own middleware")[0]
    )
    main = root / "app" / "main.py"
    archfix(root, "fix", "--apply", "--select", "middleware-order")
    assert main.read_text() == (EXAMPLE / "app" / "main.py").read_text()
    check = archfix(root, "check", "--select", "middleware-order")
    assert "policy does not recognise" in check.stdout
    archfix(root, "fix", "--apply", "--unsafe-fixes", "--select", "middleware-order")
    assert main.read_text() != (EXAMPLE / "app" / "main.py").read_text()


# --- the ordering itself ---------------------------------------------------------------------


def _review_units() -> list[str]:
    """The review's stack (section 3.1) in execution order: the reverse of its registration list."""
    registered = [
        "EnhancedHTTPSRedirectMiddleware",
        "RequestTrackingMiddleware",
        "CORSMiddleware",
        "TraceContextMiddleware",
        "KnowledgeGraphMiddleware",
        "PerformanceOptimizationMiddleware",
        "PrometheusMiddlewareV2",
        "APIVersioningMiddleware",
        "SecurityMonitoringMiddleware",
        "RateLimitMiddleware",
        "SecurityHeadersMiddleware",
        "CSRFMiddleware",
    ]
    return list(reversed(registered))


def _edges(policy: Policy, names: list[str]) -> set[tuple[int, int]]:
    cats = [policy.classify(n) or "application" for n in names]
    return {
        (i, j)
        for i in range(len(names))
        for j in range(len(names))
        if i != j and policy.rule_for(cats[i], cats[j]) is not None
    }


def test_review_stack_desired_order() -> None:
    policy = Policy.from_options({})
    names = _review_units()
    order = desired_order(len(names), _edges(policy, names))
    assert order is not None
    after = [names[k] for k in order]
    assert after == [
        "EnhancedHTTPSRedirectMiddleware",
        "SecurityHeadersMiddleware",
        "TraceContextMiddleware",
        "RequestTrackingMiddleware",
        "CORSMiddleware",
        "RateLimitMiddleware",
        "CSRFMiddleware",
        "SecurityMonitoringMiddleware",
        "APIVersioningMiddleware",
        "PrometheusMiddlewareV2",
        "PerformanceOptimizationMiddleware",
        "KnowledgeGraphMiddleware",
    ]


def test_unconstrained_pairs_keep_their_order_and_few_units_move() -> None:
    # X, Y, Z are unrelated; only CORS must move outside the rate limiter.
    names = ["RateLimitMiddleware", "XMiddleware", "YMiddleware", "CORSMiddleware", "ZMiddleware"]
    policy = Policy.from_options({"constraints": ["cors > rate-limit: readable 429"]})
    order = desired_order(len(names), _edges(policy, names))
    assert order is not None
    after = [names[k] for k in order]
    assert after == [
        "CORSMiddleware",
        "RateLimitMiddleware",
        "XMiddleware",
        "YMiddleware",
        "ZMiddleware",
    ]


def test_a_contradictory_policy_is_detected() -> None:
    policy = Policy.from_options({"constraints": ["cors > rate-limit: a", "rate-limit > cors: b"]})
    names = ["CORSMiddleware", "RateLimitMiddleware"]
    assert desired_order(2, _edges(policy, names)) is None


def test_categories_are_configurable_and_patterns_ignore_case_and_underscores() -> None:
    policy = Policy.from_options({"categories": {"rate-limit": ["*Quota*", "re:^Slow"]}})
    assert policy.classify("TenantQuotaMiddleware") == "rate-limit"
    assert policy.classify("SlowDown") == "rate-limit"
    assert policy.classify("RateLimitMiddleware") is None  # the default patterns were replaced
    assert policy.classify("add_security_headers") == "security-headers"
    assert policy.classify("CorsMiddleware") == "cors"
    assert policy.classify("DBSessionMiddleware") == "database"


def test_constraints_parse_with_reasons_and_reject_typos() -> None:
    names = list(Policy.from_options({}).categories)
    parsed = [Constraint.parse(text, names) for text in DEFAULT_CONSTRAINTS]
    assert all(c.reason for c in parsed)
    https = parsed[0]
    assert https.outer == "https" and "application" in https.inners
    with pytest.raises(ValueError, match="unknown category 'corz'"):
        Constraint.parse("corz > csrf: why", names)
    with pytest.raises(ValueError, match="outer > inner"):
        Constraint.parse("cors csrf", names)


ERROR_STACK = '''\
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

CAPTURED = []


class SentryMiddleware:
    """Reports an exception that reaches it and re-raises it (as sentry_asgi does)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            CAPTURED.append(repr(exc))
            raise


class ExceptionMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        try:
            return await call_next(request)
        except ValueError:
            return JSONResponse(status_code=422, content={"detail": "bad value"})


api = FastAPI()


@api.get("/boom")
def boom():
    raise ValueError("boom")


api.add_middleware(ExceptionMiddleware)
api.add_middleware(SentryMiddleware)
'''

ERROR_PROBE = (
    "from fastapi.testclient import TestClient\n"
    "from app.main import api, CAPTURED\n"
    "print(TestClient(api).get('/boom').status_code, CAPTURED)\n"
)


def test_error_reporter_ends_inside_the_error_handler(tmp_path: Path) -> None:
    """Sentry added last runs outside the error handler and never sees the exceptions the handler
    turns into responses; the fix moves it inside, and a request then reaches Sentry."""
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(ERROR_STACK)

    def probe() -> str:
        proc = subprocess.run(
            [sys.executable, "-c", ERROR_PROBE],
            cwd=root,
            env=_env(root),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    assert probe() == "422 []"
    archfix(root, "fix", ".", "--apply", "--no-cache", "--select", "middleware-order")
    assert (root / "app" / "main.py").read_text() != ERROR_STACK
    assert probe() == "422 [\"ValueError('boom')\"]"


def test_a_preferred_constraint_parses_and_a_plain_one_does_not_become_one() -> None:
    policy = Policy.from_options(
        {"constraints": ["prefer rate-limit > auth, session: shed load", "cors > auth: readable"]}
    )
    preferred, plain = policy.constraints
    assert (preferred.outer, preferred.inners, preferred.preferred) == (
        "rate-limit",
        ("auth", "session"),
        True,
    )
    assert (plain.outer, plain.preferred) == ("cors", False)
    default = Policy.from_options({})
    rule = default.rule_for("rate-limit", "auth")
    assert rule is not None and rule.preferred
    assert not default.rule_for("cors", "rate-limit").preferred  # type: ignore[union-attr]


def test_rebound_names_reads_every_statement_form_that_binds() -> None:
    import libcst as cst

    from archfix.codemods._middleware import rebound_names

    source = (
        "a = b = f()\n"
        "c: int = 1\n"
        "d += 1\n"
        "import e.sub, g as h\n"
        "from i import j, k as l\n"
        "for (m, *n) in x:\n    o = 1\n"
        "with p() as q, r() as (s, t):\n    pass\n"
        "try:\n    u = 1\nexcept E as v:\n    w = 1\nelse:\n    x2 = 1\nfinally:\n    y = 1\n"
        "if z: aa = 1\nelif zz:\n    bb = 1\nelse:\n    cc = 1\n"
        "while 1:\n    dd = 1\n"
        "def ee():\n    ff = 1\n"
        "class GG:\n    hh = 1\n"
        "ann: int\n"
    )
    found: set[str] = set()
    for stmt in cst.parse_module(source).body:
        found |= rebound_names(stmt)
    assert found == {
        *[
            "a",
            "b",
            "c",
            "d",
            "e",
            "h",
            "j",
            "l",
            "m",
            "n",
            "o",
            "q",
            "s",
            "t",
            "u",
            "v",
            "w",
            "y",
            "aa",
            "bb",
            "cc",
            "dd",
            "ee",
            "GG",
        ],
        "x2",
    }
