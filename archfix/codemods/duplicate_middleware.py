"""The same middleware registered twice on one app runs twice on every request.

Starlette keeps every registration: ``app.add_middleware(X)`` twice (or once in ``FastAPI(middleware=
[Middleware(X)])`` and again with ``add_middleware``) builds two instances of X into the stack, so its
work (timing, caching, counting, header rewriting) happens twice and its side effects double. The
review found PerformanceOptimizationMiddleware added twice on consecutive lines (section 3.1).

Fix (safe): a registration identical to an earlier one on the same app, in the same function or at
module level, is removed, along with an ``if`` block it leaves empty; an identical registration under
an ``if`` that repeats an unconditional one goes too (the unconditional one always runs). Duplicates
with different arguments, or under different conditions, are reported and left alone: which one is
meant is a human decision. Registrations that never both run are no duplicates: the branches of one
``if``/``elif``/``else``, and two registrations with a ``return`` between them (``if minimal: ...;
return app``, a guard, an ``except`` that returns): on that path only the first is made.

Example::

    app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)
    app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)  # removed
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeVar

import libcst as cst

from archfix.codemods._middleware import Registration, ScopeCollector
from archfix.codemods.base import FileCodemod, function_defs
from archfix.config import Option
from archfix.models import Fix


class DuplicateMiddleware(FileCodemod):
    """Remove a middleware registration that repeats an identical one on the same app."""

    id = "duplicate-middleware"
    title = "Register each middleware once per app"
    section = "3.1 Middleware Registration Order; 7.1 Immediate Blockers (3)"
    fixable = Fix.SAFE
    triggers = ("add_middleware", "middleware=")
    priority = 30
    options: ClassVar = {
        "app-classes": Option(
            "list[str]", ["FastAPI", "Starlette"], "Constructors whose result is an ASGI app."
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.remove: set[int] = set()
        self.remove_ifs: set[int] = set()

    # -- analysis (on the original tree, before any change) ---------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        app_classes = self.ctx.options.get("app-classes", ["FastAPI", "Starlette"])
        # An unannotated ``app`` parameter counts as an app only in modules that use the framework.
        imports_framework = any("fastapi" in line or "starlette" in line for line in self.ctx.lines)
        module_scope = ScopeCollector(app_classes, implicit_app_params=False)
        module_scope.collect(node.body, (), None)
        self._judge(module_scope)
        for func in function_defs(node):  # each function is its own scope
            scope = ScopeCollector(app_classes, implicit_app_params=imports_framework)
            scope.apps |= module_scope.apps
            scope.add_params(func.params)
            body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
            scope.collect(body, (), None)
            self._judge(scope)
        # Nothing to remove (check mode, or no duplicate): no need to traverse the tree.
        return bool(self.remove)

    def _judge(self, scope: ScopeCollector) -> None:
        groups: dict[tuple[tuple[str, int], str], list[Registration]] = {}
        order = {id(reg): i for i, reg in enumerate(scope.registrations)}
        for reg in scope.registrations:
            groups.setdefault((reg.app, reg.cls_key), []).append(reg)
        for regs in groups.values():
            if len(regs) < 2:
                continue
            unconditional = [r for r in regs if not r.conditions]
            keeper = unconditional[0] if unconditional else regs[0]
            for reg in regs:
                if reg is keeper:
                    continue
                first, second = sorted((keeper, reg), key=lambda r: order[id(r)])
                if scope.exclusive(keeper, reg) or scope.may_leave_between(first, second):
                    continue  # never both registered: if/else branches, or a branch that returns
                self._judge_pair(keeper, reg)

    def _line(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos is not None else 0

    def _judge_pair(self, keeper: Registration, dup: Registration) -> None:
        first = self._line(keeper.node)
        name, app = dup.cls_name, dup.receiver
        if dup.args != keeper.args:
            if keeper.conditions and dup.conditions and keeper.conditions != dup.conditions:
                return  # alternative configurations under different conditions (e.g. profiles)
            self.report(
                dup.node,
                f"{name} is registered on {app} again with different arguments (first on line {first}); "
                "not changed: decide which configuration is meant",
            )
            return
        removable = (not keeper.conditions or dup.conditions == keeper.conditions) and (
            dup.kind == "ctor" or dup.removable_parent is not None or not dup.conditions
        )
        if dup.kind == "ctor" and keeper.kind != "ctor":
            removable = False  # the constructor list comes first in source; keep the list as it is
        if not removable:
            self.report(
                dup.node,
                f"{name} is registered on {app} again under a different condition (first on line {first}); "
                "not changed: check whether both registrations can be active",
            )
            return
        where = "" if not dup.conditions else " (inside an if block that repeats it)"
        if self.report(
            dup.node,
            f"{name} is already registered on {app} on line {first}; this duplicate{where} makes it run "
            "twice per request",
            fix=Fix.SAFE,
        ):
            self.remove.add(id(dup.node))

    # -- transformation ------------------------------------------------------------------------

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        return _without_elements(original_node, updated_node, self.remove)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.Tuple:
        return _without_elements(original_node, updated_node, self.remove)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if id(original_node) in self.remove:
            return cst.RemoveFromParent()
        kept = [
            new
            for old, new in zip(original_node.body, updated_node.body, strict=True)
            if id(old) not in self.remove
        ]
        if len(kept) != len(updated_node.body):
            if not kept:
                return cst.RemoveFromParent()
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(body=kept)
        return updated_node

    def leave_If(
        self, original_node: cst.If, updated_node: cst.If
    ) -> cst.BaseStatement | cst.RemovalSentinel:
        body = updated_node.body
        if isinstance(body, cst.IndentedBlock) and not body.body and updated_node.orelse is None:
            self.remove.add(id(original_node))
            return cst.RemoveFromParent()
        return updated_node

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return self._carry_comments(original_node.body, updated_node)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return self._carry_comments(original_node.body, updated_node)

    def _carry_comments(self, original: Sequence[cst.BaseStatement], updated: _Block) -> _Block:
        """Move the comment lines of removed statements onto the next statement that remains.

        A comment above a removed registration often introduces the statements after it; deleting
        it with the duplicate would lose documentation the user wrote.
        """
        if len(updated.body) == len(original):
            return updated
        body = list(updated.body)
        pending: list[cst.EmptyLine] = []
        j = 0
        for stmt in original:
            if id(stmt) in self.remove:
                lines = list(getattr(stmt, "leading_lines", ()))
                if any(line.comment is not None for line in lines):
                    pending.extend(lines)
                continue
            if pending and j < len(body):
                target = body[j]
                body[j] = target.with_changes(leading_lines=[*pending, *target.leading_lines])
                pending = []
            j += 1
        if pending:
            return updated.with_changes(body=body, footer=[*pending, *updated.footer])
        return updated.with_changes(body=body)


_Block = TypeVar("_Block", cst.Module, cst.IndentedBlock)


_Seq = TypeVar("_Seq", cst.List, cst.Tuple)


def _without_elements(original: _Seq, updated: _Seq, remove: set[int]) -> _Seq:
    """Drop removed elements; the element before a removed one takes over its comma, so the
    layout (one element per line, trailing comma or not) stays as the user wrote it."""
    if not any(id(e) in remove for e in original.elements):
        return updated
    kept: list[cst.BaseElement] = []
    for old, new in zip(original.elements, updated.elements, strict=True):
        if id(old) in remove:
            if kept:
                kept[-1] = kept[-1].with_changes(comma=new.comma)
            continue
        kept.append(new)
    if (
        len(kept) == 1
        and isinstance(updated, cst.Tuple)
        and kept[0].comma is cst.MaybeSentinel.DEFAULT
    ):
        kept[0] = kept[0].with_changes(comma=cst.Comma())  # (x,) stays a tuple
    return updated.with_changes(elements=kept)
