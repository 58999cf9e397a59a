"""Pruned traversals (archfix/codemods/_walk.py) give the results of full ones, and do prune.

The rules listed in ``PRUNED`` enter only the statements the file's ``ast`` says can hold what they
act on (or skip the traversal entirely). ``_walk.ENABLED = False`` turns that off, so every test
here can compare both ways: same findings, same changes, on every golden case of those rules and
on snippets built to hit each kind of statement.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from golden_cases import all_cases, materialise

from archfix.codemods import _walk, all_rules
from archfix.codemods.base import FileContext, FixPolicy, Reporter, SourceText
from archfix.engine import RunOptions, load_project, run
from archfix.runner import Overrides, config_for

PRUNED = (
    "misplaced-import",
    "router-registration",
    "middleware-order",
    "duplicate-startup-call",
    "cors-wildcard",
    "missing-secret-helper",
    # ast prefilters (FileCodemod.wants_tree):
    "unisolated-startup",
    "silent-route-import",
    "pool-settings",
    "silent-settings-validator",
)

EVERY_STATEMENT = textwrap.dedent(
    '''\
    """Docstring."""
    import os; x = 1

    @decorator(call(1))
    class C(Base, metaclass=M):
        a: int = 1
        def m(self, d=call(2)) -> R:
            if a: b()
            elif c:
                d()
            elif e: pass
            else:
                f()
            for i in y:
                pass
            else:
                g()
            async def inner():
                async for j in z:
                    await h()
                async with k() as w:
                    pass
            while q:
                break
            else:
                pass
            with open(p) as fh, other():
                pass
            try:
                pass
            except (ValueError, call(3)) as exc:
                raise
            except Exception:
                pass
            else:
                pass
            finally:
                pass
            try:
                pass
            except* OSError:
                pass
            match v:
                case [1, *rest] if call(4):
                    pass
                case {"k": 1}:
                    pass
                case _:
                    pass
            return lambda: [n for n in y if n]
    '''
)


def _statements(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _All(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, _walk.STATEMENT_LIKE):
                found.append(node)
            return True

    module.visit(_All())
    return found


def test_route_lines_up_every_kind_of_statement() -> None:
    module = cst.parse_module(EVERY_STATEMENT)
    route = _walk.route(module, ast.parse(EVERY_STATEMENT), lambda n: True)
    assert route is not None and route.deep is not None
    statements = _statements(module)
    assert len(statements) > 35
    assert {id(s) for s in statements} == set(route.deep) == set(route.own)
    assert [id(s) for s in _walk.statements(module)] == [id(s) for s in statements]
    assert _walk.route_to(module, whole=route.own).deep == route.deep


def _calls_to(name: str) -> object:
    def hit(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and _walk.dotted(node.func) == name

    return hit


def _codes(module: cst.Module, ids: frozenset[int] | None) -> list[str]:
    assert ids is not None
    return [
        module.code_for_node(s).strip().splitlines()[0] for s in _statements(module) if id(s) in ids
    ]


@pytest.mark.parametrize(
    ("name", "deep", "own"),
    [
        ("b", ["@decorator(call(1))", "def m(self, d=call(2)) -> R:", "if a: b()", "b()"], ["b()"]),
        (
            "call",
            [
                "@decorator(call(1))",
                "def m(self, d=call(2)) -> R:",
                "try:",
                "match v:",
            ],
            ["@decorator(call(1))", "def m(self, d=call(2)) -> R:", "try:", "match v:"],
        ),
        (
            "g",
            ["@decorator(call(1))", "def m(self, d=call(2)) -> R:", "for i in y:", "g()"],
            ["g()"],
        ),
        (
            "h",
            [
                "@decorator(call(1))",
                "def m(self, d=call(2)) -> R:",
                "async def inner():",
                "async for j in z:",
                "await h()",
            ],
            ["await h()"],
        ),
        (
            "d",
            ["@decorator(call(1))", "def m(self, d=call(2)) -> R:", "if a: b()", "if c:", "d()"],
            ["d()"],
        ),
        ("nothing", [], []),
    ],
)
def test_route_enters_only_what_holds_a_hit(name: str, deep: list[str], own: list[str]) -> None:
    """Own expressions (decorators, defaults, except types, case patterns) mark their statement;
    nested statements mark their ancestors only."""
    module = cst.parse_module(EVERY_STATEMENT)
    route = _walk.route(module, ast.parse(EVERY_STATEMENT), _calls_to(name))  # type: ignore[arg-type]
    assert route is not None
    assert _codes(module, route.deep) == deep
    assert _codes(module, route.own) == own
    assert route.empty == (not deep)


def test_needles_skip_lines_without_them_and_never_lose_a_hit() -> None:
    text = "def f():\n    a = 1\n    return g(\n        1)\n\nh = g\n"
    module = cst.parse_module(text)
    offered: list[int] = []

    def hit(node: ast.AST) -> bool:
        offered.append(getattr(node, "lineno", 0))
        return isinstance(node, ast.Call)

    route = _walk.route(module, ast.parse(text), hit, needles=["g("], text=text)
    assert route is not None
    assert _codes(module, route.own) == ["return g("]
    assert 2 not in offered and 6 not in offered  # lines without the needle are not searched
    crlf = text.replace("\n", "\r\n")
    again = _walk.route(cst.parse_module(crlf), ast.parse(crlf), hit, needles=["zzz"], text=crlf)
    assert again is not None and not again.empty  # line numbers may differ: needles ignored


def test_route_gives_up_when_the_trees_do_not_line_up() -> None:
    module = cst.parse_module("a = 1\nb = 2\n")
    assert _walk.route(module, ast.parse("a = 1\n"), lambda n: True) is None
    assert _walk.route(module, ast.parse("if a:\n    pass\nb = 2\n"), lambda n: True) is None


def test_pruner_keeps_leave_balanced_and_skips_unrouted_children() -> None:
    module = cst.parse_module(EVERY_STATEMENT)
    route = _walk.route(module, ast.parse(EVERY_STATEMENT), _calls_to("h"))  # type: ignore[arg-type]
    assert route is not None
    pruner = _walk.Pruner(route)
    entered: list[str] = []

    class _Count(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            entered.append(type(node).__name__)
            return pruner.enter(node)

        def on_leave(self, original_node: cst.CSTNode) -> None:
            pruner.leave(original_node)

    module.visit(_Count())
    assert pruner._own == []
    assert entered.count("Name") < 10  # only the ``await h()`` line is entered completely
    assert "Await" in entered and "Lambda" not in entered and "MatchCase" not in entered


def test_tree_of_refuses_texts_whose_names_ast_would_respell(tmp_path: Path) -> None:
    def ctx(text: str) -> FileContext:
        project = load_project(tmp_path, [tmp_path], config_for(tmp_path, Overrides())).project
        reporter = Reporter("x", FixPolicy())
        return FileContext(
            tmp_path / "m.py", "m", project, {}, [], reporter, source=SourceText(text)
        )

    assert _walk.tree_of(ctx("x = 1  # café, naïve\n")) is not None
    assert _walk.tree_of(ctx("x = '…'  # … is no identifier character\n")) is not None
    assert _walk.tree_of(ctx("ﬁle = 1\n")) is None  # NFKC: ast says "file", libcst "ﬁle"
    assert _walk.tree_of(ctx("x = (\n")) is None
    _walk.ENABLED = False
    try:
        assert _walk.tree_of(ctx("x = 1\n")) is None
    finally:
        _walk.ENABLED = True


# --- the rules: same results with and without pruning ------------------------------------------


def _outcome(root: Path, rule_id: str, apply: bool, unsafe: bool) -> tuple[object, ...]:
    config = config_for(root, Overrides(select=(rule_id,)))
    options = RunOptions(policy=FixPolicy(apply=apply, unsafe=unsafe), cache=False)
    result = run(root, [root], config, options)  # no cache: both ways must really run
    return (
        [(f.path, f.line, f.col, f.message, f.fix, f.applied) for f in result.findings],
        sorted((c.path, c.new_text) for c in result.changes),
        [(e.path, e.kind, e.message) for e in result.errors],
    )


def _both_ways(root: Path, rule_id: str, apply: bool, unsafe: bool) -> Iterator[tuple[object, ...]]:
    for enabled in (False, True):
        _walk.ENABLED = enabled
        try:
            yield _outcome(root, rule_id, apply, unsafe)
        finally:
            _walk.ENABLED = True


GOLDEN = [c for c in all_cases() if c.rule_id in PRUNED]


@pytest.mark.parametrize("case", GOLDEN, ids=str)
def test_golden_cases_same_with_and_without_pruning(case: object, tmp_path: Path) -> None:
    root = materialise(case, tmp_path / "project")  # type: ignore[arg-type]
    for apply, unsafe in ((False, False), (True, True)):
        full, pruned = _both_ways(root, case.rule_id, apply, unsafe)  # type: ignore[attr-defined]
        assert pruned == full


SNIPPETS = {
    "cors-wildcard": """\
        from fastapi import FastAPI
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware as C, CORSMiddleware
        app = FastAPI()
        # CORSMiddleware in a comment only
        app.add_middleware(C, allow_origins=["*"]); app.add_middleware(CORSMiddleware, allow_origins=["*"])
        app.add_middleware(CORSMiddleware, allow_origins=[Middleware(CORSMiddleware, allow_origins=["*"])])
        stack = [Middleware(CORSMiddleware, allow_origin_regex=".*"), Middleware(CORSMiddleware, allow_origins="*")]
        """,
    "router-registration": """\
        from fastapi import APIRouter, FastAPI
        a, b, c, d = APIRouter(), APIRouter(), APIRouter(), APIRouter()
        app = FastAPI()
        app.include_router(a, prefix="/v1/a", tags=["a"]); app.include_router(b, prefix="/v1/b", tags=["b"])
        app.include_router(c, prefix="/v1/c", tags=["c"], dependencies=[app.include_router(d, prefix="/v1/d")])
        wrap(app.include_router(d, prefix="/v1/e"))
        """,
    "missing-secret-helper": """\
        class Settings:
            _get_secret = staticmethod(print)
            key = _get_secret("A")

            def load(self):
                return _get_secret("B")
        """,
}


@pytest.mark.parametrize("rule_id", sorted(SNIPPETS))
def test_snippets_same_with_and_without_pruning(rule_id: str, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.py").write_text(textwrap.dedent(SNIPPETS[rule_id]))
    for apply, unsafe in ((False, False), (True, True)):
        full, pruned = _both_ways(tmp_path, rule_id, apply, unsafe)
        assert pruned == full
        assert full[0], "the snippet must give findings"


# --- and they do prune ---------------------------------------------------------------------------


def _visited(rule_id: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many nodes the rule's visit reached, counting every traversal it made of its own."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / "main.py"
    path.write_text(text)
    project = load_project(tmp_path, [tmp_path], config_for(tmp_path, Overrides())).project
    rule = {r.id: r for r in all_rules()}[rule_id]
    module = cst.parse_module(text)
    positions = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(
        cst.metadata.PositionProvider
    )
    ctx = FileContext(
        path,
        "main",
        project,
        project.config.options_for(rule_id),
        text.splitlines(),
        Reporter(rule_id, FixPolicy(apply=True)),
        positions=lambda: positions,
        source=SourceText(text),
    )
    reached = 0
    visit = cst.CSTNode.visit

    def counting(self: cst.CSTNode, visitor: object) -> object:
        nonlocal reached
        reached += 1
        return visit(self, visitor)  # type: ignore[arg-type]

    monkeypatch.setattr(cst.CSTNode, "visit", counting)
    cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(rule(ctx))
    monkeypatch.undo()
    return reached


def _all_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _all_nodes(child)


BIG = "\n".join(
    f"def f{i}(a, b=[x * 2 for x in range({i})]):\n    return {{'k': a + b}}\n" for i in range(30)
)


@pytest.mark.parametrize(
    ("rule_id", "extra", "at_most"),
    [
        ("cors-wildcard", "# CORSMiddleware is mentioned, never registered\n", 0),
        ("misplaced-import", "import os\nfrom os import path\n", 0),
        ("duplicate-startup-call", "async def lifespan(app):\n    setup(app)\n    yield\n", 0),
        ("missing-secret-helper", "def _get_secret(n):\n    return n\nx = _get_secret('a')\n", 0),
        ("router-registration", "app.include_router(r, prefix='/a')\n", 0),
        ("router-registration", "if x:\n    app.include_router(r, prefix='/a', tags=f(1))\n", 40),
        ("cors-wildcard", "app.add_middleware(CORSMiddleware, allow_origins=['*'])\n", 0),
        ("cors-wildcard", "x = [app.add_middleware(CORSMiddleware, allow_origins=['*'])]\n", 80),
    ],
)
def test_rules_enter_only_what_they_need(
    rule_id: str, extra: str, at_most: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Besides the module and its top-level statements (reached, not entered; twice for a rule
    with a collecting visitor of its own), a rule reaches only the statements it acts on; a line
    that is just a call to what the rule looks for is read without a traversal."""
    module = cst.parse_module(BIG + extra)
    total = sum(1 for _ in _all_nodes(module))
    assert total > 2000
    reached = _visited(rule_id, BIG + extra, tmp_path, monkeypatch)
    assert reached <= 2 * (1 + len(module.body)) + at_most


@pytest.mark.parametrize(
    ("case_name", "parsed"),
    [
        ("attribute_named_only_in_text", 0),
        ("from_submodule_shadowed_by_parameter", 0),
        ("plain_import_package_rebound", 0),
        ("module_alias_rebound_nested", 0),
        ("module_alias_attribute", 1),
    ],
)
def test_misplaced_import_parses_only_files_with_a_kept_binding_read(
    case_name: str, parsed: int, tmp_path: Path
) -> None:
    """The text names a bound module's attribute that moves; the ``ast`` prefilter parses the
    file only when the rule keeps the binding and the attribute is really read."""
    case = next(c for c in GOLDEN if c.rule_id == "misplaced-import" and c.name == case_name)
    root = materialise(case, tmp_path / "project")
    config = config_for(root, Overrides(select=("misplaced-import",)))
    result = run(root, [root], config, RunOptions(cache=False))
    assert result.files_parsed == parsed
