"""Shared analysis for the start-up rules: which functions run at start-up, which calls initialise
a service, which logger a module uses, and how to add a missing stdlib import.

Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.project import Project

DEFAULT_INIT_WORDS = [
    "init",
    "setup",
    "set_up",
    "start",
    "configure",
    "register",
    "connect",
    "instrument",
    "bootstrap",
]
"""Words that mark a call as an initialisation (matched at the start of a ``_``-separated word of
the callee's last name: ``initialize``, ``setup_tracing``, ``start``, ``connect_redis``)."""

LOGGER_FACTORIES = {"getLogger", "get_logger", "getlogger"}


def is_init_name(callee: str, words: Iterable[str]) -> bool:
    """True when the callee's last name looks like an initialisation (``db.connect``, ``init_db``)."""
    last = callee.rsplit(".", 1)[-1].lower().lstrip("_")
    parts = [p for p in last.split("_") if p]
    words = [w.lower() for w in words]
    if any(last.startswith(w) for w in words if "_" in w):
        return True
    return any(p.startswith(w) for p in parts for w in words if "_" not in w)


def init_call(stmt: cst.BaseSmallStatement) -> tuple[cst.Call, bool] | None:
    """The call of an expression statement ``f(...)`` or ``await f(...)``, and whether awaited."""
    if not isinstance(stmt, cst.Expr):
        return None
    value = stmt.value
    awaited = isinstance(value, cst.Await)
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call):
        return value, awaited
    return None


def callee_name(call: cst.Call) -> str | None:
    """``a.b.c`` for ``a.b.c(...)``; also ``a.b().c`` -> ``a.b.c`` (a service returned by a getter)."""
    name = dotted_name(call.func)
    if name is not None:
        return name
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        inner = callee_name(func.value)
        return f"{inner}.{func.attr.value}" if inner else None
    return None


@dataclass(frozen=True)
class StartupFunction:
    """A function that runs while the app starts: a lifespan or a startup event handler."""

    node: cst.FunctionDef
    kind: str
    """"lifespan" or "startup handler"."""

    @property
    def name(self) -> str:
        return self.node.name.value

    def startup_body(self) -> Sequence[cst.BaseStatement]:
        """The top-level statements that run at start-up: a lifespan's statements before its
        first top-level ``yield`` (what follows is shutdown); a handler's whole body."""
        body = self.node.body
        if not isinstance(body, cst.IndentedBlock):
            return []
        if self.kind != "lifespan":
            return body.body
        out: list[cst.BaseStatement] = []
        for stmt in body.body:
            if _yields(stmt):
                break
            out.append(stmt)
        return out

    def shutdown_body(self) -> Sequence[cst.BaseStatement]:
        """A lifespan's statements from its first top-level ``yield`` on (the ``try`` holding
        the ``yield`` included, for its ``finally``); nothing for a startup handler."""
        body = self.node.body
        if self.kind != "lifespan" or not isinstance(body, cst.IndentedBlock):
            return []
        for i, stmt in enumerate(body.body):
            if _yields(stmt):
                return body.body[i:]
        return []


def names_used(nodes: Iterable[cst.CSTNode]) -> set[str]:
    """Every identifier read or written in ``nodes`` (nested functions included)."""
    found: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    visitor = _Names()
    for node in nodes:
        node.visit(visitor)
    return found


def _is_event(call: cst.Call, event: str) -> bool:
    return bool(
        call.args
        and isinstance(call.args[0].value, cst.SimpleString)
        and call.args[0].value.evaluated_value == event
    )


def _registered(call: cst.Call, event: str) -> list[str]:
    """Functions a call registers for ``event`` ("startup" or "shutdown"):
    ``x.add_event_handler(event, f)``, and ``on_<event>=[f, g]`` (Starlette, FastAPI)."""
    found: list[str] = []
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value == "add_event_handler"
        and len(call.args) >= 2
        and _is_event(call, event)
    ):
        found += _names_in(call.args[1].value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == f"on_{event}":
            found += _names_in(arg.value)
    return found


def _handles(func: cst.FunctionDef, event: str) -> bool:
    """Decorated with ``@x.on_event(event)``."""
    return any(
        isinstance(d.decorator, cst.Call)
        and isinstance(d.decorator.func, cst.Attribute)
        and d.decorator.func.attr.value == "on_event"
        and _is_event(d.decorator, event)
        for d in func.decorators
    )


def shutdown_handlers(module: cst.Module) -> list[cst.FunctionDef]:
    """Shutdown event handlers defined in the module: ``@x.on_event("shutdown")``, and functions
    registered with ``x.add_event_handler("shutdown", f)`` or listed in ``on_shutdown=[...]``."""
    functions = [s for s in _walk.statements(module) if isinstance(s, cst.FunctionDef)]
    registered: set[str] = set()

    class _Collector(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            registered.update(_registered(node, "shutdown"))

    module.visit(_Collector())
    return [f for f in functions if f.name.value in registered or _handles(f, "shutdown")]


def _yields(stmt: cst.BaseStatement) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> None:
            nonlocal found
            found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    stmt.visit(_Finder())
    return found


def _names_in(expr: cst.BaseExpression) -> list[str]:
    """Function names listed in ``[f, g]`` / ``(f,)`` or a single name."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [n for e in expr.elements for n in _names_in(e.value)]
    name = dotted_name(expr)
    return [name.rsplit(".", 1)[-1]] if name else []


_LAST_STARTUP: tuple[cst.Module, tuple[StartupFunction, ...]] | None = None


def startup_functions(module: cst.Module, tree: ast.Module | None = None) -> list[StartupFunction]:
    """Every lifespan and startup handler defined in the module (see :func:`_startup_functions`).

    ``tree``: the ``ast`` tree of the module's text (``_walk.tree_of``), when the caller has one:
    the search for registrations then enters only the statements that hold a candidate call.
    Several rules ask about the same (immutable) tree in one pass; the last answer is kept so the
    search runs once per tree.
    """
    global _LAST_STARTUP
    if _LAST_STARTUP is None or _LAST_STARTUP[0] is not module:
        _LAST_STARTUP = (module, tuple(_startup_functions(module, tree)))
    return list(_LAST_STARTUP[1])


def _registers(node: ast.AST) -> bool:
    """A call that may register a startup function (a superset of what ``_Collector`` reads)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "add_event_handler":
        return True
    return any(k.arg in ("lifespan", "on_startup") for k in node.keywords)


_REGISTRATION_WORDS = ("on_event", "add_event_handler", "on_startup")


def may_mention_startup_functions(text: str) -> bool:
    """False only when :func:`startup_functions` certainly finds nothing in this source: each way
    it finds a function needs one of these words in the text (a text check is far cheaper than
    walking the ``ast`` of a large module that merely says "startup")."""
    return any(word in text for word in _REGISTRATION_WORDS) or "lifespan" in text.lower()


def may_have_startup_functions(tree: ast.Module) -> bool:
    """False only when :func:`startup_functions` certainly finds nothing in this module: no
    function is named like a lifespan or decorated with ``on_event``, and no call registers one."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if "lifespan" in node.name.lower() or any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr == "on_event"
                for d in node.decorator_list
            ):
                return True
        elif _registers(node):
            return True
    return False


class StartupScoped:
    """The prefilters of a rule whose every finding is inside a lifespan or startup handler
    (mixed in before ``FileCodemod``)."""

    @classmethod
    def wants(cls, path: Path, text: str, project: Project) -> bool:
        """Everything this rule does is inside a lifespan or startup handler."""
        return cls.wants_text(text) and may_mention_startup_functions(text)  # type: ignore[attr-defined]

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """Everything this rule does is inside a lifespan or startup handler."""
        return may_have_startup_functions(tree)


def _startup_functions(module: cst.Module, tree: ast.Module | None = None) -> list[StartupFunction]:
    """Every lifespan and startup handler defined in the module, at any depth (factories too).

    A lifespan is a function passed as ``lifespan=`` or named ``*lifespan*``; a startup handler is
    decorated with ``@x.on_event("startup")``, registered with ``x.add_event_handler("startup", f)``
    or listed in ``on_startup=[...]``.

    Functions are statements, so they are listed without a traversal; the registrations are calls
    anywhere in expressions, found by a traversal that (given ``tree``) skips every statement
    without a candidate call.
    """
    functions = [s for s in _walk.statements(module) if isinstance(s, cst.FunctionDef)]
    lifespans: set[str] = set()
    handlers: set[str] = set()
    route = _walk.route(module, tree, _registers) if tree is not None else None
    pruner = _walk.Pruner(route) if route is not None else None

    class _Collector(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            descend = super().on_visit(node)
            if pruner is None:
                return descend
            return pruner.enter(node) and descend  # enter always: leave always pops

        def on_leave(self, original_node: cst.CSTNode) -> None:
            if pruner is not None:
                pruner.leave(original_node)
            super().on_leave(original_node)

        def visit_Call(self, node: cst.Call) -> None:
            handlers.update(_registered(node, "startup"))
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "lifespan":
                    lifespans.update(_names_in(arg.value))

    if route is None or not route.empty:
        module.visit(_Collector())
    found: list[StartupFunction] = []
    for func in functions:
        name = func.name.value
        if _handles(func, "startup") or name in handlers:
            found.append(StartupFunction(func, "startup handler"))
        elif name in lifespans or ("lifespan" in name.lower() and _is_generator(func)):
            # Named like a lifespan but without a yield of its own, a function builds one
            # (``get_lifespan``, ``create_lifespan``): its body runs when the app is built.
            found.append(StartupFunction(func, "lifespan"))
    return found


def _is_generator(func: cst.FunctionDef) -> bool:
    body = func.body
    return isinstance(body, cst.IndentedBlock) and any(_yields(stmt) for stmt in body.body)


def module_logger(module: cst.Module) -> str | None:
    """The name of the module-level logger (``logger = logging.getLogger(__name__)``,
    ``log = get_logger(__name__)``, ``from loguru import logger``), if there is one."""
    candidates: list[str] = []
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
                factory = dotted_name(small.value.func)
                if factory and factory.rsplit(".", 1)[-1] in LOGGER_FACTORIES:
                    targets = (
                        [t.target for t in small.targets]
                        if isinstance(small, cst.Assign)
                        else [small.target]
                    )
                    candidates.extend(t.value for t in targets if isinstance(t, cst.Name))
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.evaluated_alias or alias.evaluated_name
                    if bound in {"logger", "log"}:
                        candidates.append(bound)
    return candidates[0] if candidates else None


def logger_expr(logger: str | None) -> str:
    """Source of the logger to call: the module's own, else the stdlib one for this module."""
    return logger or "logging.getLogger(__name__)"


def _is_import(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _is_future(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.ImportFrom)
        and dotted_name(stmt.body[0].module or cst.Name("x")) == "__future__"
    )


def _first_module(stmt: cst.SimpleStatementLine) -> str:
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return code_of(small.names[0].name)
    assert isinstance(small, cst.ImportFrom)
    return ("." * len(small.relative)) + (code_of(small.module) if small.module else "")


def _is_stdlib(stmt: cst.SimpleStatementLine) -> bool:
    return _first_module(stmt).split(".")[0] in sys.stdlib_module_names


def imports_module(module: cst.Module, name: str) -> bool:
    """True when ``import name`` is a top-level statement of the module."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or not _is_import(stmt):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import) and any(
                code_of(a.name) == name and a.asname is None for a in small.names
            ):
                return True
    return False


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def ensure_import(module: cst.Module, name: str, from_name: str | None = None) -> cst.Module:
    """The module with ``import <name>`` (or ``from <name> import <from_name>``) of a stdlib
    module added where isort would put it: in the leading stdlib group in order (``import``
    lines before ``from`` lines), or as a new group before the others."""
    if from_name is None and imports_module(module, name):
        return module
    if from_name is not None and _imports_from(module, name, from_name):
        return module
    body = list(module.body)
    code = f"from {name} import {from_name}" if from_name else f"import {name}"
    new = cst.parse_statement(code + "\n")
    key = (from_name is not None, name)
    start = next((i for i, s in enumerate(body) if _is_import(s) and not _is_future(s)), None)
    if start is None:
        # No import block: right after the docstring and __future__ imports.
        pos = 0
        while pos < len(body) and (_is_future(body[pos]) or (pos == 0 and _is_docstring(body[0]))):
            pos += 1
        body.insert(pos, new.with_changes(leading_lines=[cst.EmptyLine()] if pos else []))
        if pos + 1 < len(body) and not body[pos + 1].leading_lines:
            body[pos + 1] = body[pos + 1].with_changes(leading_lines=[cst.EmptyLine()])
        return module.with_changes(body=body)
    first = body[start]
    assert isinstance(first, cst.SimpleStatementLine)
    if not _is_stdlib(first):
        # A new stdlib group before the first (third-party or local) group.
        body[start] = first.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(start, new.with_changes(leading_lines=first.leading_lines))
        return module.with_changes(body=body)
    pos = start
    while pos < len(body):
        stmt = body[pos]
        in_group = (
            isinstance(stmt, cst.SimpleStatementLine)
            and _is_import(stmt)
            and _is_stdlib(stmt)
            and (pos == start or not stmt.leading_lines)
        )
        if not in_group or _sort_key(stmt) > key:  # type: ignore[arg-type]
            break
        pos += 1
    if pos == start:
        body[start] = first.with_changes(leading_lines=[])
        body.insert(start, new.with_changes(leading_lines=first.leading_lines))
    else:
        body.insert(pos, new)
    return module.with_changes(body=body)


def _imports_from(module: cst.Module, source: str, name: str) -> bool:
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or not _is_import(stmt):
            continue
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and not small.relative
                and code_of(small.module) == source
                and not isinstance(small.names, cst.ImportStar)
                and any(a.evaluated_name == name and a.asname is None for a in small.names)
            ):
                return True
    return False


def _sort_key(stmt: cst.SimpleStatementLine) -> tuple[bool, str]:
    return isinstance(stmt.body[0], cst.ImportFrom), _first_module(stmt)


def string_literal(text: str) -> str:
    """A double-quoted Python string literal for ``text`` (black's quote style)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """fnmatch-style match of a dotted callee or module name against user patterns."""
    from fnmatch import fnmatchcase

    last = name.rsplit(".", 1)[-1]
    return any(fnmatchcase(name, p) or fnmatchcase(last, p) for p in patterns)
