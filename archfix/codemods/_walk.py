"""Pruned libcst traversals: a rule enters only the statements that can hold what it acts on.

libcst rebuilds every node a visitor or transformer passes, so one traversal costs about as much as
a parse. A rule usually acts on a few statements; the stdlib ``ast`` tree of the same text (shared by
the pass's rules, and far cheaper to walk) tells which ones. A :class:`Route` lists them, and
:class:`Pruning` (for rules) or :class:`Pruner` (for any visitor) skips the children of everything
else. Skipped nodes are left as they are (libcst calls ``leave_*`` with the original node), so a rule
whose every action is on a routed statement gives the same result as with a full traversal.

Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from archfix.codemods.base import FileContext

STATEMENT_LIKE: tuple[type[cst.CSTNode], ...] = (
    cst.SimpleStatementLine,
    cst.SimpleStatementSuite,
    cst.BaseCompoundStatement,
)
"""Nodes a route names: a line of small statements (``a; b``), the same after a colon (``if x: a``),
and compound statements (an ``elif`` is the ``If`` in its parent's ``orelse``)."""

_STATEMENT_TYPES: frozenset[type] = frozenset(
    {cst.SimpleStatementLine, cst.SimpleStatementSuite}
    | {
        t
        for t in vars(cst).values()
        if isinstance(t, type) and issubclass(t, cst.BaseCompoundStatement)
    }
)
"""The concrete classes of STATEMENT_LIKE (a set lookup is much cheaper than an ABC isinstance)."""

_CONTAINERS: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.Module,
        cst.IndentedBlock,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Else,
        cst.Finally,
        cst.MatchCase,
    }
)
"""Nodes between statements: always entered when reached (their statements are routed one by one;
their own expressions, such as an ``except`` clause's type, belong to the enclosing statement)."""

ENABLED = True
"""False makes :func:`tree_of` answer None, so every rule falls back to its full traversal, and
turns off the engine's ``wants_tree`` prefilter (the tests compare both ways)."""


@dataclass(frozen=True)
class Route:
    """Which statements a pruned traversal enters (by ``id`` of the libcst node)."""

    deep: frozenset[int] | None
    """Statements entered (they hold something at some depth); None means every statement."""
    own: frozenset[int]
    """Statements whose own expressions (not their nested statements) are entered completely."""

    @property
    def empty(self) -> bool:
        """Nothing is routed: a traversal would not enter any statement."""
        return self.deep is not None and not self.deep

    def union(self, other: Route) -> Route:
        """Every statement either route enters."""
        if self.deep is None or other.deep is None:
            return Route(None, self.own | other.own)
        return Route(self.deep | other.deep, self.own | other.own)


STATEMENTS_ONLY = Route(None, frozenset())
"""Every statement and block, no expression."""


class Pruner:
    """Follows a :class:`Route` during one traversal: call :meth:`enter` from ``on_visit`` for every
    node (it answers whether to descend) and :meth:`leave` from ``on_leave``."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self._own: list[bool] = []

    def enter(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        if kind in _STATEMENT_TYPES:
            key = id(node)
            self._own.append(key in self.route.own)
            deep = self.route.deep
            return deep is None or key in deep
        if kind in _CONTAINERS:
            return True
        return bool(self._own) and self._own[-1]

    def leave(self, node: cst.CSTNode) -> None:
        if type(node) in _STATEMENT_TYPES:
            self._own.pop()


class Pruning:
    """Mixin for file rules (put it before ``FileCodemod``): after :meth:`prune` the traversal
    follows the route; without it, the traversal is complete.

    ``visit_*``/``leave_*`` still run for every node reached, including the statements whose
    children are skipped (with the original node), so statement-level bookkeeping such as
    ``visit_Try``/``leave_Try`` stays balanced.
    """

    _pruner: Pruner | None = None

    def prune(self, route: Route | None) -> None:
        """Follow ``route`` from here on (call it from ``visit_Module``); None: traverse all."""
        self._pruner = Pruner(route) if route is not None else None

    def on_visit(self, node: cst.CSTNode) -> bool:
        descend: bool = super().on_visit(node)  # type: ignore[misc]
        pruner = self._pruner
        if pruner is None:
            return descend
        return pruner.enter(node) and descend

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if self._pruner is not None:
            self._pruner.leave(original_node)
        return super().on_leave(original_node, updated_node)  # type: ignore[misc]


def tree_of(ctx: FileContext) -> ast.Module | None:
    """The ``ast`` tree of the visited text, or None when there is none to trust: the caller then
    traverses everything.

    None when libcst cannot print the tree, when ``ast`` cannot parse the text, and when ``ast``
    may spell a name differently from the source (it NFKC-normalises identifiers, libcst keeps
    them as written), so that names compare alike on both sides.
    """
    if not ENABLED or ctx.source is None:
        return None
    if not ctx.source.identifiers_stable():
        return None
    try:
        return ctx.source.tree()
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Mismatch(Exception):
    """The libcst and ast statement trees do not line up."""


_BLOCK_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_PAIRS: dict[type[cst.CSTNode], tuple[type[ast.AST], ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.Match: (ast.Match,),
}
if hasattr(ast, "TryStar"):  # Python 3.11+
    _PAIRS[cst.TryStar] = (ast.TryStar,)
_COMPOUND: tuple[type[ast.AST], ...] = tuple({t for kinds in _PAIRS.values() for t in kinds})


def own_parts(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The parts of a compound statement outside its nested statements: decorators, arguments,
    tests, targets, ``except`` types, ``case`` patterns and guards, ..."""
    for name, value in ast.iter_fields(stmt):
        if name == "handlers":
            for handler in value:
                if handler.type is not None:
                    yield handler.type
        elif name == "cases":
            for case in value:
                yield case.pattern
                if case.guard is not None:
                    yield case.guard
        elif name in _BLOCK_FIELDS:
            continue
        elif isinstance(value, ast.AST):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, ast.AST))


def route(
    module: cst.Module,
    tree: ast.Module,
    hit: Callable[[ast.AST], bool],
    *,
    expressions: bool = True,
    needles: Sequence[str] = (),
    text: str | None = None,
    counts: dict[int, int] | None = None,
) -> Route | None:
    """The route to every statement of ``module`` whose ``ast`` counterpart holds a node ``hit``
    accepts; None when the two trees do not line up (then nothing may be skipped).

    A line of small statements is entered completely when any of its statements holds a hit; a
    compound statement is entered when a hit is anywhere inside, and its own expressions too when
    the hit is in them. With ``expressions=False`` only statements are offered to ``hit``. With
    ``needles`` (and the ``text`` of the tree), statements whose lines contain none of them are
    not searched: every hit must contain a needle in its source (the words of a name it matches).
    ``counts`` receives, for each routed line of small statements, how many hits it holds.
    """
    deep: set[int] = set()
    own: set[int] = set()
    marked = _needle_lines(text, needles) if needles and text is not None else None

    def may_hold(first: int, last: int) -> bool:
        return marked is None or marked[last] > marked[first - 1]

    def holds(nodes: Iterable[ast.AST]) -> bool:
        if not expressions:
            return any(hit(n) for n in nodes if isinstance(n, ast.stmt))
        return any(hit(n) for part in nodes for n in ast.walk(part))

    def line(node: cst.CSTNode, group: Sequence[ast.stmt]) -> bool:
        last = group[-1].end_lineno or group[-1].lineno
        if may_hold(group[0].lineno, last) and holds(group):
            deep.add(id(node))
            own.add(id(node))
            if counts is not None:
                counts[id(node)] = sum(hit(n) for part in group for n in ast.walk(part))
            return True
        return False

    def block(stmts: Sequence[cst.BaseStatement], body: Sequence[ast.stmt]) -> bool:
        found = False
        j = 0
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                k = len(stmt.body)
                group = body[j : j + k]
                if len(group) != k or any(isinstance(g, _COMPOUND) for g in group):
                    raise _Mismatch
                found |= line(stmt, group)
                j += k
            else:
                if j >= len(body):
                    raise _Mismatch
                found |= compound(stmt, body[j])
                j += 1
        if j != len(body):
            raise _Mismatch
        return found

    def suite(node: cst.BaseSuite, body: Sequence[ast.stmt]) -> bool:
        if isinstance(node, cst.IndentedBlock):
            return block(node.body, body)
        if (
            not isinstance(node, cst.SimpleStatementSuite)
            or len(node.body) != len(body)
            or any(isinstance(g, _COMPOUND) for g in body)
        ):
            raise _Mismatch
        return line(node, body)

    def orelse(node: cst.If | cst.Else | None, body: Sequence[ast.stmt]) -> bool:
        if node is None:
            if body:
                raise _Mismatch
            return False
        if isinstance(node, cst.If):  # elif
            if len(body) != 1:
                raise _Mismatch
            return compound(node, body[0])
        return suite(node.body, body)

    def compound(node: cst.BaseStatement, stmt: ast.stmt) -> bool:
        expected = _PAIRS.get(type(node))
        if expected is None or not isinstance(stmt, expected):
            raise _Mismatch
        decorators = getattr(stmt, "decorator_list", None)
        first = min([stmt.lineno, *(d.lineno for d in decorators or ())])
        if not may_hold(first, stmt.end_lineno or stmt.lineno):
            return False
        found = False
        if hit(stmt) or (expressions and holds(own_parts(stmt))):
            own.add(id(node))
            found = True
        if not isinstance(node, cst.Match):
            found |= suite(node.body, stmt.body)  # type: ignore[attr-defined]
        if isinstance(node, (cst.If, cst.For, cst.While)):
            found |= orelse(node.orelse, stmt.orelse)  # type: ignore[attr-defined]
        elif isinstance(node, (cst.Try, cst.TryStar)):
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
            ast_handlers: list[ast.ExceptHandler] = stmt.handlers  # type: ignore[attr-defined]
            if len(handlers) != len(ast_handlers):
                raise _Mismatch
            for handler, ast_handler in zip(handlers, ast_handlers, strict=True):
                found |= suite(handler.body, ast_handler.body)
            found |= orelse(node.orelse, stmt.orelse)  # type: ignore[attr-defined]
            finalbody: list[ast.stmt] = stmt.finalbody  # type: ignore[attr-defined]
            if node.finalbody is not None:
                found |= suite(node.finalbody.body, finalbody)
            elif finalbody:
                raise _Mismatch
        elif isinstance(node, cst.Match):
            assert isinstance(stmt, ast.Match)
            if len(node.cases) != len(stmt.cases):
                raise _Mismatch
            for case, ast_case in zip(node.cases, stmt.cases, strict=True):
                found |= suite(case.body, ast_case.body)
        if found:
            deep.add(id(node))
        return found

    try:
        block(module.body, tree.body)
    except (_Mismatch, RecursionError):
        return None
    return Route(frozenset(deep), frozenset(own))


def _needle_lines(text: str, needles: Sequence[str]) -> list[int] | None:
    """Running count of the lines (numbered as ``ast`` numbers them) that contain a needle:
    line ``n`` has one when ``marked[n] > marked[n - 1]``. None when lines may be numbered
    differently (a carriage return)."""
    if "\r" in text:
        return None
    marked = [0]
    count = 0
    for source_line in text.split("\n"):
        count += any(needle in source_line for needle in needles)
        marked.append(count)
    return marked


def child_statements(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statement-like nodes directly below a compound statement (through its blocks), in
    source order: body, ``except`` handlers, ``elif``/``else``, ``finally``, ``case`` blocks."""
    body = getattr(node, "body", None)  # a ``match`` has only cases
    parts: list[cst.CSTNode] = [body] if isinstance(body, cst.BaseSuite) else []
    parts.extend(handler.body for handler in getattr(node, "handlers", ()))
    orelse = getattr(node, "orelse", None)
    if isinstance(orelse, cst.If):
        parts.append(orelse)  # elif: a statement of its own
    elif isinstance(orelse, cst.Else):
        parts.append(orelse.body)
    finalbody = getattr(node, "finalbody", None)
    if isinstance(finalbody, cst.Finally):
        parts.append(finalbody.body)
    parts.extend(case.body for case in getattr(node, "cases", ()))
    for part in parts:
        if isinstance(part, cst.IndentedBlock):
            yield from part.body
        else:
            yield part


def statements(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Every statement-like node of the module in source order, found without a traversal
    (expressions never hold statements)."""
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, cst.BaseCompoundStatement):
            stack.extend(reversed(list(child_statements(node))))


def route_to(module: cst.Module, enter: Iterable[int] = (), whole: Iterable[int] = ()) -> Route:
    """The route to the given statements (by ``id``) through the statements that hold them.

    ``enter``: statements to enter (their blocks and statement-level ``leave_*`` are reached, not
    their expressions); ``whole``: statements entered completely, expressions included.
    """
    own = frozenset(whole)
    targets = set(enter) | own
    deep: set[int] = set()

    def walk(node: cst.CSTNode) -> bool:
        found = id(node) in targets
        if isinstance(node, cst.BaseCompoundStatement):
            for child in child_statements(node):
                found |= walk(child)
        if found:
            deep.add(id(node))
        return found

    for stmt in module.body:
        walk(stmt)
    return Route(frozenset(deep), own)


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None (as ``_cst.dotted_name`` for libcst)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def blocks(tree: ast.Module) -> Iterator[list[ast.stmt]]:
    """Every statement list in the tree (module, bodies, ``else``/``finally``, handlers, cases)."""
    stack: list[list[ast.stmt]] = [tree.body]
    while stack:
        body = stack.pop()
        yield body
        for stmt in body:
            for name in ("body", "orelse", "finalbody"):
                value = getattr(stmt, name, None)
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    stack.append(value)
            for handler in getattr(stmt, "handlers", ()):
                stack.append(handler.body)
            for case in getattr(stmt, "cases", ()):
                stack.append(case.body)
