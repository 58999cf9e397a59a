"""A connection pool sized for one big server exhausts a managed database's connection limit.

SQLAlchemy's ``QueuePool`` lets one process hold ``pool_size + max_overflow`` connections, and every
process of every instance of every service holds its own pool. Cloud SQL's ``max_connections`` on
small tiers is about 25-100 in total (a few reserved for superusers), so ``pool_size=50,
max_overflow=100`` (review section 6.2) lets a single worker take every connection, and a second
instance gets "too many clients" errors under load.

The budget is the option ``max-connections`` (per process), default **20**: e.g. ``pool_size=10,
max_overflow=10``. That is a little above SQLAlchemy's own default (5 + 10 = 15), enough for a
threadpool of sync endpoints, and it lets 4 processes (say 2 Cloud Run instances x 2 workers) share a
100-connection instance with headroom for migrations and admin sessions. Set it to
``max_connections / (instances x workers)`` for your deployment.

Fix (unsafe): literal ``pool_size`` and ``max_overflow`` are scaled down in proportion so their sum
equals the budget. It changes throughput under load, so it is never made by default. Values computed
from module constants (``POOL_SIZE = max(DB_POOL_SIZE // WORKERS, 5)``: integer arithmetic and
``min``/``max`` of literals, evaluated without running anything), and ``max_overflow=-1`` (no limit
at all), are only reported. When one value is unknown (settings, the environment), the other is
judged alone: ``max_overflow=64`` exceeds a budget of 20 whatever ``pool_size`` is. SQLite
engines (a literal ``sqlite...`` URL, or ``connect_args`` with ``check_same_thread``, which only the
``sqlite3`` driver takes) are skipped: a file has no server whose connections the pools share.

Example::

    create_engine(url, pool_size=50, max_overflow=100)
    # becomes (max-connections = 20)
    create_engine(url, pool_size=7, max_overflow=13)
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods.base import FileCodemod
from archfix.codemods.mixed_environment_detection import _SCOPES, _bound_in
from archfix.config import Option
from archfix.models import Fix
from archfix.project import Project

# SQLAlchemy's QueuePool defaults, used when only one of the two is given.
_DEFAULTS = {"pool_size": 5, "max_overflow": 10}
# Pools whose size arguments mean nothing or something else; a call naming another poolclass is skipped.
_QUEUE_POOLS = {"QueuePool", "AsyncAdaptedQueuePool"}


def _int(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer)
    ):
        return -int(node.expression.value.replace("_", ""), 0)
    return None


def _string_start(node: cst.BaseExpression | None) -> str:
    """The literal text a string expression starts with ("" when it does not start with one)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else ""
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        return first.value if isinstance(first, cst.FormattedStringText) else ""
    if isinstance(node, cst.ConcatenatedString):
        return _string_start(node.left)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _string_start(node.left)
    return ""


_OPERATORS: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_LIMIT = 10**9
"""Larger intermediate values are not pool sizes: evaluation gives up rather than compute them."""


def evaluate(
    node: ast.expr, names: Mapping[str, ast.expr], builtins: bool = True, depth: int = 0
) -> int | None:
    """The value of a small integer expression, without running anything: integer literals,
    ``names`` (module constants, themselves evaluated), ``+ - * // %``, unary minus and, when
    ``builtins`` (the module does not rebind them), ``min()``/``max()``. None otherwise."""
    if depth > 20:
        return None
    value: int | None = None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            value = node.value
    elif isinstance(node, ast.Name):
        bound = names.get(node.id)
        value = evaluate(bound, names, builtins, depth + 1) if bound is not None else None
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = evaluate(node.operand, names, builtins, depth + 1)
        value = None if inner is None else -inner if isinstance(node.op, ast.USub) else inner
    elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left = evaluate(node.left, names, builtins, depth + 1)
        right = evaluate(node.right, names, builtins, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)) and right == 0:
            return None
        value = _OPERATORS[type(node.op)](left, right)
    elif (
        builtins
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("min", "max")
        and node.args
        and not node.keywords
        and not any(isinstance(a, ast.Starred) for a in node.args)
    ):
        args = [evaluate(a, names, builtins, depth + 1) for a in node.args]
        if len(args) < 2 or any(a is None for a in args):
            return None
        known = [a for a in args if a is not None]
        value = min(known) if node.func.id == "min" else max(known)
    if value is None or abs(value) > _LIMIT:
        return None
    return value


def _module_constants(tree: ast.Module) -> tuple[dict[str, ast.expr], set[str]]:
    """Names the module binds exactly once, by ``NAME = value`` (no function rebinds them with
    ``global``), with their values; and every name the module binds at all."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            values[node.target.id] = node.value
        names: list[str] = []
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.alias):
            names.append(node.asname or node.name.partition(".")[0])
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        if not isinstance(node, (*_SCOPES, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                counts[name] = counts.get(name, 0) + 1
    return {k: v for k, v in values.items() if counts.get(k) == 1}, set(counts)


def scaled(pool: int, overflow: int, budget: int) -> tuple[int, int]:
    """``pool`` and ``overflow`` scaled in proportion so that they sum to ``budget``."""
    if overflow <= 0:
        return max(1, budget), max(0, overflow)
    new_pool = max(1, round(pool * budget / (pool + overflow)))
    new_pool = min(new_pool, max(1, budget - 1)) if budget > 1 else 1
    return new_pool, max(0, budget - new_pool)


class PoolSettings(FileCodemod):
    """Keep each process's connection pool within a budget the database can serve."""

    id = "pool-settings"
    title = "Keep connection pools within the database's connection budget"
    section = "6.2 Connection Pool Settings; 7.2 Runtime Issues (2)"
    fixable = Fix.UNSAFE
    triggers = ("pool_size", "max_overflow")
    priority = 70
    options: ClassVar = {
        "max-connections": Option(
            "int",
            20,
            "Connections one process may hold (pool_size + max_overflow); see the rule's docs.",
        ),
        "engine-factories": Option(
            "list[str]",
            ["create_engine", "create_async_engine"],
            "Functions that create a pooled engine (last name part).",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.tree: ast.Module | None = None
        self.constants: dict[str, ast.expr] = {}
        """Module-level names bound once (``POOL_SIZE = max(DB_POOL // WORKERS, 5)``)."""
        self.builtins = True
        """``min``/``max`` are the builtins (the module does not bind those names)."""
        self.scopes: list[tuple[int, int, set[str]]] | None = None
        """Functions, lambdas and comprehensions: first and last line, and the names they bind."""
        self.strings: dict[str, cst.BaseExpression] = {}
        """Module-level string constants (``DATABASE_URL = "sqlite:///app.db"``)."""

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """Only an engine factory called with ``pool_size=`` or ``max_overflow=`` is judged (a
        file that merely defines those names, or passes them in ``**options``, is not)."""
        factories = project.config.options_for(cls.id).get(
            "engine-factories", ["create_engine", "create_async_engine"]
        )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and any(
                k.arg in ("pool_size", "max_overflow") for k in node.keywords
            ):
                name = _walk.dotted(node.func)
                if name is not None and name.rsplit(".", 1)[-1] in factories:
                    return True
        return False

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if (
                        isinstance(small, cst.Assign)
                        and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                        and isinstance(small.value, (cst.SimpleString, cst.FormattedString))
                    ):
                        self.strings[small.targets[0].target.value] = small.value
        # Module-level constants (``POOL_SIZE = 50``, ``POOL_SIZE = max(83 // 9, 5)``), so
        # ``pool_size=POOL_SIZE`` is still judged.
        self.tree = self._tree()
        if self.tree is not None:
            self.constants, bound = _module_constants(self.tree)
            self.builtins = not {"min", "max"} & bound

    def _tree(self) -> ast.Module | None:
        try:
            if self.ctx.source is not None:
                return self.ctx.source.tree()
            return ast.parse("\n".join(self.ctx.lines))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def _value(self, node: cst.BaseExpression, call: cst.Call) -> int | None:
        """The integer ``node`` evaluates to, through module constants that no function around
        ``call`` shadows with a local name of its own."""
        literal = _int(node)
        if literal is not None:
            return literal
        if self.tree is None:
            return None
        try:
            expr = ast.parse(f"({code_of(node)})", mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return None
        used = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
        if used:
            pos = self.position(call)
            line = pos.start.line if pos is not None else 0
            if self.scopes is None:
                self.scopes = [
                    (n.lineno, n.end_lineno or n.lineno, _bound_in(n))
                    for n in ast.walk(self.tree)
                    if isinstance(n, _SCOPES)
                ]
            if any(first <= line <= last and used & names for first, last, names in self.scopes):
                return None  # a local variable, parameter, or min/max of its own
        return evaluate(expr, self.constants, self.builtins)

    def _sqlite(self, call: cst.Call, kwargs: dict[str, cst.Arg]) -> bool:
        """Whether the engine is evidently SQLite: its URL is a literal (or a module constant)
        starting with ``sqlite``, or ``connect_args`` passes ``check_same_thread``, which only
        the ``sqlite3`` driver accepts."""
        url = kwargs.get("url") or next((a for a in call.args if a.keyword is None), None)
        if url is not None:
            value: cst.BaseExpression | None = url.value
            if isinstance(value, cst.Name):
                value = self.strings.get(value.value)
            if _string_start(value).lower().startswith("sqlite"):
                return True
        connect = kwargs.get("connect_args")
        if connect is not None and isinstance(connect.value, cst.Dict):
            for element in connect.value.elements:
                key = getattr(element, "key", None)
                if isinstance(key, cst.SimpleString) and key.evaluated_value == "check_same_thread":
                    return True
        return (
            connect is not None
            and isinstance(connect.value, cst.Call)
            and dotted_name(connect.value.func) == "dict"
            and any(
                a.keyword is not None and a.keyword.value == "check_same_thread"
                for a in connect.value.args
            )
        )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = dotted_name(original_node.func)
        factories = self.ctx.options.get(
            "engine-factories", ["create_engine", "create_async_engine"]
        )
        if name is None or name.rsplit(".", 1)[-1] not in factories:
            return updated_node
        kwargs = {a.keyword.value: a for a in original_node.args if a.keyword is not None}
        if any(a.star for a in original_node.args):
            return updated_node
        poolclass = kwargs.get("poolclass")
        if poolclass is not None:
            pc = dotted_name(poolclass.value)
            if pc is None or pc.rsplit(".", 1)[-1] not in _QUEUE_POOLS:
                return updated_node
        if "pool_size" not in kwargs and "max_overflow" not in kwargs:
            return updated_node
        if self._sqlite(original_node, kwargs):
            return updated_node  # a file database: no server whose connection limit to share
        values: dict[str, int | None] = {}
        literal = True
        for key in ("pool_size", "max_overflow"):
            arg = kwargs.get(key)
            if arg is None:
                values[key] = _DEFAULTS[key]
                literal = False
                continue
            literal = literal and _int(arg.value) is not None
            values[key] = self._value(arg.value, original_node)
        budget = int(self.ctx.options.get("max-connections", 20))

        def shown(keys: tuple[str, ...] = ("pool_size", "max_overflow")) -> str:
            return ", ".join(
                f"{k}={code_of(kwargs[k].value)}" if k in kwargs else f"{k} (default {values[k]})"
                for k in keys
            )

        pool, overflow = values["pool_size"], values["max_overflow"]
        if overflow is not None and overflow < 0:
            self.report(
                original_node,
                f"{shown()}: max_overflow=-1 removes the limit, so one process can open as many "
                f"connections as requests arrive; set a bound (budget: {budget} per process, "
                "option max-connections)",
            )
            return updated_node
        if pool is None or overflow is None:
            # Computed at run time; a known one may still exceed the budget on its own.
            known = next((k for k, v in values.items() if v is not None and v > budget), None)
            if known is not None:
                other = "max_overflow" if known == "pool_size" else "pool_size"
                self.report(
                    original_node,
                    f"{shown((known,))} alone lets each process hold more than the budget of "
                    f"{budget} connections (option max-connections), whatever {other} is; every "
                    "instance and worker holds its own pool, and Cloud SQL allows only 25-100 "
                    "connections in total on small tiers; not rewritten: the values are not "
                    "literals here",
                )
            return updated_node
        shown_both = shown()
        total = pool + overflow
        if total <= budget:
            return updated_node
        message = (
            f"{shown_both} lets each process hold {total} connections, above the budget of {budget} "
            "(option max-connections); every instance and worker holds its own pool, and Cloud SQL "
            "allows only 25-100 connections in total on small tiers"
        )
        if not literal:
            self.report(
                original_node, f"{message}; not rewritten: the values are not literals here"
            )
            return updated_node
        new_pool, new_overflow = scaled(pool, overflow, budget)
        if not self.report(
            original_node,
            f"{message}; scale to pool_size={new_pool}, max_overflow={new_overflow}",
            fix=Fix.UNSAFE,
        ):
            return updated_node
        new_values = {"pool_size": new_pool, "max_overflow": new_overflow}
        args = [
            a.with_changes(value=cst.Integer(str(new_values[a.keyword.value])))
            if a.keyword is not None and a.keyword.value in new_values
            else a
            for a in updated_node.args
        ]
        return updated_node.with_changes(args=args)
