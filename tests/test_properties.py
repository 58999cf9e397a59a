"""Property-based tests for every registered rule (they grow with the registry).

Inputs: programs generated from Python's grammar by hypothesmith (as libcst and black test
themselves), each placed after a small FastAPI app so the rules' prefilters let them in, and
generated variations of FastAPI/Starlette apps (import forms, aliases, middleware lists with
duplicates, conditionals, constructor lists, routers, settings, startup hooks).

Properties, for every rule alone and for all rules together (safe, then unsafe fixes):
- the output parses (libcst) and compiles whenever the input compiled;
- a second run changes nothing (idempotence);
- (each rule alone) no existing line is changed or removed outside the statements the rule reported (an approximation
  of "a rule never edits code it did not report": every changed line region must overlap, or touch,
  the innermost statement around a reported line; pure insertions such as added imports or helpers
  are allowed anywhere).

``ARCHFIX_PROPERTY_EXAMPLES`` raises the example counts (CI default keeps the suite fast).
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from archfix.codemods import all_rules
from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, run
from archfix.models import Result
from archfix.runner import Overrides, config_for

EXAMPLES = int(os.environ.get("ARCHFIX_PROPERTY_EXAMPLES", "0"))


def _settings(examples: int) -> settings:
    """Bounded, no deadline (a run parses files), reproducible unless ARCHFIX_PROPERTY_RANDOM is set."""
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("ARCHFIX_PROPERTY_RANDOM"),
        database=None,
        # Shrinking a program through whole engine runs takes many minutes; the failing example is
        # printed as generated, which is enough to turn it into a golden case.
        phases=[Phase.explicit, Phase.generate],
    )


# --- generated FastAPI apps --------------------------------------------------------------------

APP_IMPORTS = [
    ("from fastapi import FastAPI", "FastAPI"),
    ("import fastapi", "fastapi.FastAPI"),
    ("from fastapi import FastAPI as Api", "Api"),
    ("from starlette.applications import Starlette", "Starlette"),
    ("import starlette.applications as sa", "sa.Starlette"),
]
MIDDLEWARE_IMPORTS = [
    ("from starlette.middleware.gzip import GZipMiddleware", "GZipMiddleware"),
    ("from starlette.middleware.gzip import GZipMiddleware as GZ", "GZ"),
    ("from fastapi.middleware.cors import CORSMiddleware", "CORSMiddleware"),
    ("import starlette.middleware.trustedhost as th", "th.TrustedHostMiddleware"),
    ("from .middleware import RequestIDMiddleware", "RequestIDMiddleware"),
    ("from app.middleware import RateLimitMiddleware", "RateLimitMiddleware"),
    (
        "from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware",
        "HTTPSRedirectMiddleware",
    ),
]
KWARGS = ["", ", minimum_size=500", ', allow_origins=["*"]', ", allowed_hosts=settings.HOSTS"]
CONDITIONS = ["settings.DEBUG", "os.getenv('ENV') == 'production'", "not TESTING", "FLAG"]
EXTRAS = [
    'SECRET_KEY = _get_secret("JWT_SECRET_KEY")\n',
    'ENVIRONMENT = os.environ.get("ENV", "development")\nIS_PROD = ENVIRONMENT == "production"\n',
    "engine = create_engine(DB_URL, pool_size=50, max_overflow=100)\n",
    "{app}.include_router(router)\n",
    '@{app}.on_event("startup")\nasync def startup():\n    init_db()\n    init_db()\n',
    '@{app}.middleware("http")\nasync def timing(request, call_next):\n'
    "    return await call_next(request)\n",
    "try:\n    from .routes import items\n    {app}.include_router(items.router)\n"
    "except ImportError:\n    pass\n",
    "class Settings:\n    @validator('DB_URL')\n    def check(cls, v):\n        return v\n",
]


@st.composite
def fastapi_apps(draw: st.DrawFn) -> str:
    """A FastAPI/Starlette module: random imports, a middleware stack with repeats and branches."""
    app_import, app_ctor = draw(st.sampled_from(APP_IMPORTS))
    mws = draw(st.lists(st.sampled_from(MIDDLEWARE_IMPORTS), min_size=1, max_size=4, unique=True))
    name = draw(st.sampled_from(["app", "api", "application", "service_app"]))
    lines = ["import os", app_import, *(imp for imp, _ in mws), "from app import settings", ""]
    ctor_list = draw(st.lists(st.sampled_from([m for _, m in mws]), max_size=3))
    if ctor_list:
        lines.insert(1, "from starlette.middleware import Middleware")
        items = ", ".join(f"Middleware({m})" for m in ctor_list)
        lines.append(f"{name} = {app_ctor}(middleware=[{items}])")
    else:
        lines.append(f"{name} = {app_ctor}()")
    for _ in range(draw(st.integers(1, 7))):
        mw = draw(st.sampled_from([m for _, m in mws]))
        call = f"{name}.add_middleware({mw}{draw(st.sampled_from(KWARGS))})"
        form = draw(st.sampled_from(["plain", "plain", "if", "if-else", "comment"]))
        cond = draw(st.sampled_from(CONDITIONS))
        if form == "plain":
            lines.append(call)
        elif form == "comment":
            lines.append(f"# register {mw}\n{call}  # keep")
        elif form == "if":
            lines.append(f"if {cond}:\n    {call}")
        else:
            other = draw(st.sampled_from([m for _, m in mws]))
            lines.append(f"if {cond}:\n    {call}\nelse:\n    {name}.add_middleware({other})")
    for extra in draw(st.lists(st.sampled_from(EXTRAS), max_size=3, unique=True)):
        lines.append("")
        lines.append(extra.format(app=name).rstrip("\n"))
    return "\n".join(lines) + "\n"


@st.composite
def grammar_programs(draw: st.DrawFn) -> str:
    """A hypothesmith program after a small FastAPI app (alone when the two do not compile together)."""
    program = draw(hypothesmith.from_grammar())
    app = draw(fastapi_apps())
    combined = app + "\n" + program
    return combined if _compiles(combined) else program


# --- running and checking ------------------------------------------------------------------------


def _compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _project(text: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="archfix-prop-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        pkg = root / "app"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        (pkg / "middleware.py").write_text("class RequestIDMiddleware: ...\n")
        (pkg / "main.py").write_text(text, encoding="utf-8")
        yield root


def _run(root: Path, select: tuple[str, ...], *, apply: bool, unsafe: bool) -> Result:
    config = config_for(root, Overrides(select=select))
    return run(root, [root], config, RunOptions(policy=FixPolicy(apply=apply, unsafe=unsafe)))


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """The spans of the statements of every block (module, function, if/else body...)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    blocks = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody", "handlers"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.AST):
                blocks.append([(s.lineno, s.end_lineno or s.lineno) for s in body])
    return blocks


def _reported_spans(text: str, lines: set[int]) -> list[tuple[int, int]]:
    """For each reported line, the innermost statement around it (or the line itself)."""
    spans = [span for block in _blocks(text) for span in block]
    out = []
    for line in lines:
        around = [s for s in spans if s[0] <= line <= s[1]]
        out.append(min(around, key=lambda s: s[1] - s[0]) if around else (line, line))
    return out


def _touches(first: int, last: int, spans: list[tuple[int, int]]) -> bool:
    return any(first <= end + 1 and last >= start - 1 for start, end in spans)


def _assert_edits_local(old: str, new: str, reported: set[int], label: str) -> None:
    """Changed or removed lines must touch a reported statement, or be a statement moved within
    a block that holds a reported statement (a reordering fix reports the stack once)."""
    spans = _reported_spans(old, reported)
    blocks = [b for b in _blocks(old) if any(span in b for span in spans)]
    a, b = old.splitlines(), new.splitlines()
    present = {line.strip() for line in b}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("equal", "insert"):
            continue
        first, last = i1 + 1, i2  # 1-based old lines changed or removed
        if _touches(first, last, spans):
            continue
        moved = all(line.strip() in present for line in a[i1:i2]) and any(
            _touches(first, last, block) for block in blocks
        )
        assert moved, (
            f"{label}: lines {first}-{last} changed outside the reported statements "
            f"(reported lines {sorted(reported)}):\n"
            + "".join(difflib.unified_diff(a[i1:i2], b[j1:j2], lineterm="\n"))
        )


def _check_rules(text: str) -> None:
    """The properties, for all rules together and for each rule that reported something alone."""
    with_rules = {r.id for r in all_rules()}
    compiled = _compiles(text)
    for root in _project(text):
        main = root / "app" / "main.py"
        everything = _run(root, ("ALL",), apply=True, unsafe=True)
        reporting = sorted({f.rule_id for f in everything.findings} & with_rules)
        selections: list[tuple[tuple[str, ...], bool]] = [(("ALL",), True), (("ALL",), False)]
        selections += [((rid,), True) for rid in reporting]
        for select, unsafe in selections:
            label = f"{','.join(select)} unsafe={unsafe}"
            result = everything if (select, unsafe) == (("ALL",), True) else None
            result = result or _run(root, select, apply=True, unsafe=unsafe)
            crashes = [e for e in result.errors if e.kind.value == "rule-crash"]
            assert not crashes, f"{label}: {crashes}"
            for change in result.changes:
                new = change.new_text
                if new is None:
                    continue
                cst.parse_module(new)
                if change.path == main:
                    assert not compiled or _compiles(new), f"{label}: output does not compile"
                if change.path == main and select != ("ALL",):
                    # With several rules, a later rule reports in the coordinates of the text an
                    # earlier rule already edited; locality is checked one rule at a time.
                    reported = {f.line for f in result.findings if f.path == main}
                    _assert_edits_local(text, new, reported, label)
            if not result.changes:
                continue
            # Idempotence: the fixed project, run again, changes nothing more.
            for root2 in _project(text):
                for change in result.changes:
                    target = root2 / change.path.relative_to(root)
                    if change.new_text is None:
                        target.unlink()
                    else:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(change.new_text, encoding="utf-8")
                again = _run(root2, select, apply=True, unsafe=unsafe)
                assert not again.changes, f"{label}: not idempotent: {again.changes[0].new_text}"


def _property(strategy: st.SearchStrategy[str], examples: int):  # type: ignore[no-untyped-def]
    @_settings(examples)
    @given(strategy)
    def check(source: str) -> None:
        _check_rules(source)

    return check


test_rules_on_generated_fastapi_apps = _property(fastapi_apps(), 25)
test_rules_on_generated_programs = _property(grammar_programs(), 5)
# CI runs the slow marker too: many more examples of each.
test_rules_on_generated_fastapi_apps_long = pytest.mark.slow(_property(fastapi_apps(), 200))
test_rules_on_generated_programs_long = pytest.mark.slow(_property(grammar_programs(), 40))


def test_generated_apps_exercise_the_rules() -> None:
    """Guard against a vacuous property: the generator must make rules report and fix things."""
    from hypothesis import find

    # Two unconditional, identical registrations: one in each branch of an if/else is no
    # duplicate, and which example find() shrinks to must not decide the outcome.
    plain = re.compile(r"^\w+\.add_middleware\(GZipMiddleware\)$", re.M)
    duplicate = find(fastapi_apps(), lambda s: len(plain.findall(s)) >= 2)
    for root in _project(duplicate):
        assert _run(root, ("ALL",), apply=True, unsafe=True).changes
