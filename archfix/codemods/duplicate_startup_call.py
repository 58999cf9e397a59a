"""An initialisation repeated in the same lifespan or startup handler runs twice on every start.

Setting up tracing, registering exporters or connecting a client twice doubles its side effects:
two span processors export every span twice, a second connect leaks the first pool, a second
instrumentation wraps every request handler twice. The review found distributed tracing initialised
twice in the lifespan (section 2.3).

Fix (safe): in a lifespan (a function passed as ``lifespan=`` or named ``*lifespan*``) or a startup
handler (``@app.on_event("startup")``, ``add_event_handler("startup", f)``, ``on_startup=[...]``), an
expression statement that repeats an earlier one in the same block (same callee, same arguments,
both awaited or both not) is removed, when the callee's name says it initialises something
(``init``, ``setup``, ``start``, ``configure``, ``register``, ``connect``, ``instrument``; the
``init-words`` option) and nothing in between rebinds a name the call uses. Comments above the
removed call move to the next statement. Other repeats (``await asyncio.sleep(1)``, log lines) are
intentional and never touched.

Example::

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        setup_tracing(app)
        await monitor.start()
        setup_tracing(app)  # removed
        yield
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import args_key, code_of, expr_key
from archfix.codemods._startup_support import (
    DEFAULT_INIT_WORDS,
    StartupFunction,
    StartupScoped,
    callee_name,
    init_call,
    is_init_name,
    startup_functions,
)
from archfix.codemods.base import STATEMENT_CONTAINERS, FileCodemod
from archfix.config import Option
from archfix.models import Fix


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

    node.visit(_Names())
    return found


def _bound_names(stmt: cst.CSTNode) -> set[str]:
    """Names a statement (re)binds: assignment targets, loop/with targets, walrus, imports, defs."""
    found: set[str] = set()

    def base(target: cst.BaseExpression) -> None:
        while isinstance(target, (cst.Attribute, cst.Subscript)):
            target = target.value
        if isinstance(target, cst.Name):
            found.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                base(element.value)
        elif isinstance(target, cst.StarredElement):
            base(target.value)

    class _Binder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            base(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            base(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            base(node.target)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            base(node.target)

        def visit_For(self, node: cst.For) -> None:
            base(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            base(node.name)  # type: ignore[arg-type]

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            found.add((node.evaluated_alias or node.evaluated_name).split(".")[0])

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.add(node.name.value)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            found.add(node.name.value)

    stmt.visit(_Binder())
    return found


def blocks_of(body: Sequence[cst.BaseStatement]) -> list[Sequence[cst.BaseStatement]]:
    """The block itself and every nested statement block in it (if/else, with, for, try...)."""
    blocks = [body]

    class _Blocks(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            # Blocks belong to statements: expressions need no traversal.
            return super().on_visit(node) and isinstance(node, STATEMENT_CONTAINERS)

        def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
            blocks.append(node.body)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    for stmt in body:
        stmt.visit(_Blocks())
    return blocks


def _ast_callee(node: ast.expr) -> str | None:
    """``callee_name`` for the ``ast`` of a call's function."""
    name = _walk.dotted(node)
    if name is not None:
        return name
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call):
        inner = _ast_callee(node.value.func)
        return f"{inner}.{node.attr}" if inner else None
    return None


def may_repeat(tree: ast.Module, words: list[str]) -> bool:
    """Whether some block repeats an initialisation call statement (same callee, both awaited or
    both not). Every duplicate the rule reports is one (``_judge_block`` also compares the
    arguments, and only looks at start-up code), so without one it has nothing to do."""
    for body in _walk.blocks(tree):
        seen: set[tuple[bool, str]] = set()
        for stmt in body:
            if not isinstance(stmt, ast.Expr):
                continue
            value = stmt.value
            awaited = isinstance(value, ast.Await)
            if isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, ast.Call):
                continue
            name = _ast_callee(value.func)
            if name is None or not is_init_name(name, words):
                continue
            key = (awaited, ast.dump(value.func))
            if key in seen:
                return True
            seen.add(key)
    return False


class DuplicateStartupCall(StartupScoped, _walk.Pruning, FileCodemod):
    """Remove an initialisation call that repeats an identical one in the same startup code."""

    id = "duplicate-startup-call"
    title = "Initialise each service once per startup"
    section = "2.3 Service Initialization Order Problems (duplicate tracing initialisation)"
    fixable = Fix.SAFE
    triggers = ("lifespan", "startup")
    priority = 35
    options: ClassVar = {
        "init-words": Option(
            "list[str]",
            DEFAULT_INIT_WORDS,
            "A call is an initialisation when a _-separated word of its name starts with one of these.",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.remove: set[int] = set()

    def visit_Module(self, node: cst.Module) -> bool:
        words = self.ctx.options.get("init-words", DEFAULT_INIT_WORDS)
        tree = _walk.tree_of(self.ctx)
        if tree is not None and not may_repeat(tree, words):
            return False  # no repeated call anywhere: no need to look for start-up code
        for func in startup_functions(node, tree):
            for block in blocks_of(func.startup_body()):
                self._judge_block(func, block, words)
        if not self.remove:
            return False  # nothing planned: skip the transforming traversal
        if _walk.ENABLED:
            # Enter only the blocks that lose a statement.
            self.prune(_walk.route_to(node, enter=self.remove))
        return True

    def _line(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos is not None else 0

    def _judge_block(
        self, func: StartupFunction, block: Sequence[cst.BaseStatement], words: list[str]
    ) -> None:
        seen: dict[str, tuple[int, cst.Call]] = {}
        for index, stmt in enumerate(block):
            if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                continue
            found = init_call(stmt.body[0])
            if found is None:
                continue
            call, awaited = found
            name = callee_name(call)
            if name is None or not is_init_name(name, words):
                continue
            key = f"{awaited}|{expr_key(call.func)}|{args_key(call.args)}"
            if key not in seen:
                seen[key] = (index, call)
                continue
            first_index, first_call = seen[key]
            used = _names(call)
            rebound = set().union(*(_bound_names(s) for s in block[first_index + 1 : index]))
            what = code_of(call)
            first_line = self._line(first_call)
            if used & rebound:
                self.report(
                    stmt,
                    f"{what} repeats line {first_line} in {func.kind} {func.name}, but "
                    f"{', '.join(sorted(used & rebound))} is rebound in between; not changed: "
                    "check whether both calls are needed",
                )
                seen[key] = (index, call)
                continue
            if self.report(
                stmt,
                f"{what} is already called on line {first_line} in {func.kind} {func.name}; "
                "initialising it twice doubles its side effects",
                fix=Fix.SAFE,
            ):
                self.remove.add(id(stmt))

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if id(original_node) in self.remove:
            return cst.RemoveFromParent()
        return updated_node

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if len(updated_node.body) == len(original_node.body):
            return updated_node
        return carry_comments(original_node.body, updated_node, self.remove)


def carry_comments(
    original: Sequence[cst.BaseStatement], updated: cst.IndentedBlock, removed: set[int]
) -> cst.IndentedBlock:
    """Move the comment lines of removed statements onto the next statement that remains, so
    documentation the user wrote is not deleted with the duplicate."""
    body: list[cst.BaseStatement] = list(updated.body)
    pending: list[cst.EmptyLine] = []
    j = 0
    for stmt in original:
        if id(stmt) in removed:
            lines = list(getattr(stmt, "leading_lines", ()))
            if any(line.comment is not None for line in lines):
                pending.extend(lines)
            continue
        if pending and j < len(body):
            target = body[j]
            lead = getattr(target, "leading_lines", ())
            body[j] = target.with_changes(leading_lines=[*pending, *lead])
            pending = []
        j += 1
    if pending:
        return updated.with_changes(body=body, footer=[*pending, *updated.footer])
    return updated.with_changes(body=body)
