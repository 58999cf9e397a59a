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
equals the budget. It changes throughput under load, so it is never made by default. Values that come
from variables or settings, and ``max_overflow=-1`` (no limit at all), are only reported. SQLite
engines (a literal ``sqlite...`` URL, or ``connect_args`` with ``check_same_thread``, which only the
``sqlite3`` driver takes) are skipped: a file has no server whose connections the pools share.

Example::

    create_engine(url, pool_size=50, max_overflow=100)
    # becomes (max-connections = 20)
    create_engine(url, pool_size=7, max_overflow=13)
"""

from __future__ import annotations

import ast
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods.base import FileCodemod
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
        self.constants: dict[str, int] = {}
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
        # Module-level ``POOL_SIZE = 50`` constants, so ``pool_size=POOL_SIZE`` is still checked.
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if (
                        isinstance(small, cst.Assign)
                        and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)
                    ):
                        value = _int(small.value)
                        if value is not None:
                            self.constants[small.targets[0].target.value] = value
                        elif isinstance(small.value, (cst.SimpleString, cst.FormattedString)):
                            self.strings[small.targets[0].target.value] = small.value

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
        values: dict[str, int] = {}
        literal = True
        for key in ("pool_size", "max_overflow"):
            arg = kwargs.get(key)
            if arg is None:
                values[key] = _DEFAULTS[key]
                literal = False
                continue
            value = _int(arg.value)
            if value is None and isinstance(arg.value, cst.Name):
                value = self.constants.get(arg.value.value)
                literal = False
            if value is None:
                return updated_node  # computed at run time: nothing to judge
            values[key] = value
        budget = int(self.ctx.options.get("max-connections", 20))
        pool, overflow = values["pool_size"], values["max_overflow"]
        shown = ", ".join(
            f"{k}={code_of(kwargs[k].value)}" if k in kwargs else f"{k} (default {v})"
            for k, v in values.items()
        )
        if overflow < 0:
            self.report(
                original_node,
                f"{shown}: max_overflow=-1 removes the limit, so one process can open as many "
                f"connections as requests arrive; set a bound (budget: {budget} per process, "
                "option max-connections)",
            )
            return updated_node
        total = pool + overflow
        if total <= budget:
            return updated_node
        message = (
            f"{shown} lets each process hold {total} connections, above the budget of {budget} "
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
