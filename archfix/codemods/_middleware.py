"""What the middleware rules share: finding middleware registrations in a scope.

duplicate-middleware and middleware-order both read ``app.add_middleware(...)`` calls and
``FastAPI(middleware=[Middleware(...)])`` lists, per scope (module body or function body) and in
source order. Not a rule (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from archfix.codemods._cst import args_key, code_of, dotted_name, expr_key

_ADAPTERS = ("BaseHTTPMiddleware",)
"""Middleware classes that wrap a function given as ``dispatch=`` (the last name part)."""


@dataclass
class Registration:
    """One middleware registration: where, on which app, which class, with which arguments."""

    receiver: str
    cls_name: str
    cls_key: str
    args: str
    node: cst.CSTNode
    """The statement (add_middleware) or the list element (constructor)."""
    conditions: tuple[int, ...]
    """ids of the enclosing ``if`` statements inside the scope (empty when unconditional)."""
    kind: str
    """"add" or "ctor"."""
    removable_parent: cst.If | None = None
    """The innermost enclosing ``if`` (it is removed too when this was its only statement)."""
    generation: int = 0
    """Which binding of ``receiver`` in the scope: ``app = FastAPI()`` again makes another app."""
    returns_before: int = 0
    """``return`` statements before it in the scope, in source order."""

    @property
    def app(self) -> tuple[str, int]:
        """The app object registered on (its name and which binding of the name)."""
        return self.receiver, self.generation

    @classmethod
    def of(
        cls,
        receiver: str,
        args: Sequence[cst.Arg],
        node: cst.CSTNode,
        conditions: tuple[int, ...],
        kind: str,
        removable_parent: cst.If | None = None,
    ) -> Registration:
        """From a call's arguments: the middleware class first, its options after.

        ``BaseHTTPMiddleware`` is an adapter: the middleware is its ``dispatch`` function, so two
        registrations with different functions are two middlewares, not one registered twice.
        """
        cls_expr = args[0].value
        name, key, options = code_of(cls_expr), expr_key(cls_expr), list(args[1:])
        dispatch = next((a for a in options if a.keyword and a.keyword.value == "dispatch"), None)
        if dispatch is not None and (dotted_name(cls_expr) or "").endswith(_ADAPTERS):
            name = f"{name}(dispatch={code_of(dispatch.value)})"
            key = f"{key}|dispatch={expr_key(dispatch.value)}"
            options.remove(dispatch)
        return cls(receiver, name, key, args_key(options), node, conditions, kind, removable_parent)


def name_count(body: Sequence[cst.BaseStatement], name: str) -> int:
    """How many times ``name`` appears as a name in ``body`` (nested functions included)."""
    count = 0

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal count
            if node.value == name:
                count += 1

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # ``x.middleware`` is not the name
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # nor is the keyword in ``f(middleware=...)``
            return False

    for stmt in body:
        stmt.visit(Visitor())
    return count


def private_list(
    body: Sequence[cst.BaseStatement], stop: cst.CSTNode, name: str
) -> tuple[cst.List | cst.Tuple, cst.SimpleStatementLine] | None:
    """The list literal ``name`` holds when a constructor in ``stop`` reads it as
    ``middleware=name``: ``name = [...]`` assigned once in ``body`` before ``stop``, and named
    nowhere else (no ``append``, no second app), so its elements are that app's middleware."""
    found: tuple[cst.List | cst.Tuple, cst.SimpleStatementLine] | None = None
    if not any(stmt is stop for stmt in body):
        return None  # the constructor is in a nested block: which assignment reaches it is unclear
    for stmt in body:
        if stmt is stop:
            break
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
        targets = (
            [t.target for t in small.targets]
            if isinstance(small, cst.Assign)
            else [small.target]
            if isinstance(small, cst.AnnAssign)
            else []
        )
        if len(targets) == 1 and isinstance(targets[0], cst.Name) and targets[0].value == name:
            found = (value, stmt) if isinstance(value, (cst.List, cst.Tuple)) else None
    if found is None or name_count(body, name) != 2:  # the assignment and the constructor
        return None
    return found


def _returns(node: cst.CSTNode) -> int:
    """How many ``return`` statements a statement holds (nested blocks included, other
    functions and classes not). A ``raise`` hands no app to anyone, so it does not count."""
    if isinstance(node, cst.Return):
        return 1
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return 0
    if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return sum(_returns(small) for small in node.body)
    if isinstance(node, cst.IndentedBlock):
        return sum(_returns(stmt) for stmt in node.body)
    children = [getattr(node, part, None) for part in ("body", "orelse", "finalbody")]
    if isinstance(node, (cst.Try, cst.TryStar)):
        children += list(node.handlers)
    return sum(
        _returns(child)
        for child in children
        if child is not None and not isinstance(child, Sequence)
    )


def handed_over(small: cst.BaseSmallStatement) -> set[str]:
    """Names an assignment passes to the call it assigns: in ``app = configure(app=app)`` the
    helper is handed the app and (most often) returns it, so ``app`` is still that app."""
    value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
    if not isinstance(value, cst.Call):
        return set()
    return {a.value.value for a in value.args if isinstance(a.value, cst.Name)}


def rebound_names(stmt: cst.CSTNode) -> set[str]:
    """Names a statement (re)binds in its own scope: assignment, ``for``/``with``/``except``
    targets, imports, definitions. Walks statements only (a walrus inside an expression is not
    seen): the middleware rules call it on every compound statement of every scope."""
    found: set[str] = set()
    _bound_by(stmt, found)
    return found


def _targets(node: cst.CSTNode, found: set[str]) -> None:
    if isinstance(node, cst.Name):
        found.add(node.value)
    elif isinstance(node, cst.Attribute):  # ``self.app = ...`` binds the app attribute again
        dotted = dotted_name(node)
        if dotted is not None:
            found.add(dotted)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            _targets(element.value, found)
    elif isinstance(node, cst.StarredElement):
        _targets(node.value, found)


def _bound_by(stmt: cst.CSTNode, found: set[str]) -> None:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        found.add(stmt.name.value)  # its body is another scope
        return
    if isinstance(stmt, cst.BaseSmallStatement):
        _bound_by(cst.SimpleStatementLine(body=[stmt]), found)
        return
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    _targets(target.target, found)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                if not isinstance(small, cst.AnnAssign) or small.value is not None:
                    _targets(small.target, found)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    if alias.asname is not None:
                        _targets(alias.asname.name, found)
                    else:
                        found.add(code_of(alias.name).split(".")[0])
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    target = alias.asname.name if alias.asname is not None else alias.name
                    _targets(target, found)
        return
    if isinstance(stmt, cst.For):
        _targets(stmt.target, found)
    elif isinstance(stmt, cst.With):
        for item in stmt.items:
            if item.asname is not None:
                _targets(item.asname.name, found)
    elif isinstance(stmt, (cst.Try, cst.TryStar)):
        for handler in stmt.handlers:
            if handler.name is not None:
                _targets(handler.name.name, found)
            _bound_by(handler.body, found)
    for part in ("body", "orelse", "finalbody"):
        child = getattr(stmt, part, None)
        if isinstance(child, (cst.IndentedBlock, cst.Else, cst.Finally, cst.If)):
            _bound_by(child, found)
        elif isinstance(child, cst.SimpleStatementSuite):
            for small in child.body:
                _bound_by(small, found)
    if isinstance(stmt, cst.IndentedBlock):
        for inner in stmt.body:
            _bound_by(inner, found)


class ScopeCollector:
    """Finds registrations in one scope (module body or a function body) in source order."""

    def __init__(self, app_classes: Sequence[str], implicit_app_params: bool) -> None:
        self.app_classes = set(app_classes)
        self.implicit_app_params = implicit_app_params
        self.apps: set[str] = set()
        self.registrations: list[Registration] = []
        self.generation: dict[str, int] = {}
        """How many times each app name was bound again in the scope (absent: never)."""
        self.scope_body: Sequence[cst.BaseStatement] | None = None
        """The scope's statements (for a middleware list held in a variable)."""
        self.branches: dict[int, tuple[int, int]] = {}
        """Branch id (as in ``Registration.conditions``) -> (id of its ``if``, which branch)."""
        self.returns = 0
        """``return`` statements met so far, in source order (see :meth:`may_leave_between`)."""

    def exclusive(self, a: Registration, b: Registration) -> bool:
        """Whether ``a`` and ``b`` sit in different branches of one ``if``: never both run."""
        for x, y in zip(a.conditions, b.conditions, strict=False):
            if x != y:
                bx, by = self.branches.get(x), self.branches.get(y)
                return bx is not None and by is not None and bx[0] == by[0]
        return False

    def may_leave_between(self, first: Registration, second: Registration) -> bool:
        """Whether a ``return`` lies between ``first`` and ``second`` in source order: on that
        path only ``first`` is registered (``if minimal: ...; return app``, a guard ``if ...:
        return app``, an ``except`` that returns), so the two are no duplicates."""
        return second.returns_before != first.returns_before

    def is_app_call(self, node: cst.BaseExpression) -> bool:
        if not isinstance(node, cst.Call):
            return False
        name = dotted_name(node.func)
        return name is not None and name.rsplit(".", 1)[-1] in self.app_classes

    def add_params(self, params: cst.Parameters) -> None:
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            annotation = param.annotation
            if annotation is not None:
                name = dotted_name(annotation.annotation)
                if name and name.rsplit(".", 1)[-1] in self.app_classes:
                    self.apps.add(param.name.value)
            elif self.implicit_app_params and param.name.value == "app":
                self.apps.add("app")
        ordinary = [*params.posonly_params, *params.params]
        if self.implicit_app_params and ordinary and ordinary[0].name.value == "self":
            # A method registering on ``self.app`` (r2r's ``_apply_middleware``): in a module
            # that uses the framework, an ``app`` attribute that takes middleware is the app.
            self.apps.add("self.app")

    def collect(
        self, body: Sequence[cst.BaseStatement], conditions: tuple[int, ...], parent: cst.If | None
    ) -> None:
        if self.scope_body is None:
            self.scope_body = body
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._small(small, stmt, conditions, parent, len(stmt.body) == 1)
                    self.returns += _returns(small)
            elif isinstance(stmt, cst.If):
                self._if(stmt, conditions)
            else:  # a loop, try, with, def...: registrations there are not read, rebindings are
                self._rebind(rebound_names(stmt) & self.apps)
                self.returns += _returns(stmt)

    def _rebind(self, names: set[str]) -> None:
        """Later registrations on these names go to another app object than earlier ones."""
        for name in names:
            self.generation[name] = self.generation.get(name, 0) + 1

    def _if(self, stmt: cst.If, conditions: tuple[int, ...]) -> None:
        inner = (*conditions, id(stmt))
        # Only a plain ``if`` (no elif/else) can lose its body safely; others are scanned for
        # reporting but their statements are never removed (parent None marks that).
        simple = stmt.orelse is None
        self._branch(stmt, stmt, 0)
        self.collect(stmt.body.body, inner, stmt if simple else None)
        orelse = stmt.orelse
        index = 1
        while orelse is not None:
            branch_conditions = (*conditions, id(orelse))
            self._branch(stmt, orelse, index)
            index += 1
            if isinstance(orelse, cst.If):
                self.collect(orelse.body.body, branch_conditions, None)
                orelse = orelse.orelse
            else:
                self.collect(orelse.body.body, branch_conditions, None)
                orelse = None

    def _branch(self, head: cst.If, branch: cst.If | cst.Else, index: int) -> None:
        self.branches[id(branch)] = (id(head), index)

    def _small(
        self,
        small: cst.BaseSmallStatement,
        line: cst.SimpleStatementLine,
        conditions: tuple[int, ...],
        parent: cst.If | None,
        alone: bool,
    ) -> None:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            value = small.value
            if value is not None and self.is_app_call(value):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                self._rebind(rebound_names(small) & self.apps)
                for target in targets:
                    # ``app = FastAPI()``, or ``self.app = FastAPI()`` in a class's method
                    bound = (
                        dotted_name(target)
                        if isinstance(target, (cst.Name, cst.Attribute))
                        else None
                    )
                    if bound is not None:
                        self.apps.add(bound)
                        self._ctor(bound, value, conditions, line)  # type: ignore[arg-type]
                return
        rebound = (
            rebound_names(small) & self.apps
            if isinstance(
                small, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Import, cst.ImportFrom)
            )
            else set()
        )
        if rebound:
            self._rebind(rebound)
            # ``app = configure(app)`` hands the app to a helper that (most often) returns it:
            # still read as an app, as another binding (duplicates are not paired across it).
            # Bound to anything else, the name is no longer an app this rule can read.
            self.apps -= rebound - handed_over(small)
            return
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return
        call = small.value
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_middleware"):
            return
        receiver = dotted_name(func.value)
        if receiver is None or receiver not in self.apps or not call.args or call.args[0].keyword:
            return
        registration = Registration.of(
            receiver,
            call.args,
            line if alone else small,
            conditions,
            "add",
            parent if alone else None,
        )
        registration.generation = self.generation.get(receiver, 0)
        registration.returns_before = self.returns
        self.registrations.append(registration)

    def _ctor(
        self, receiver: str, call: cst.Call, conditions: tuple[int, ...], stmt: cst.CSTNode
    ) -> None:
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != "middleware":
                continue
            seq = arg.value
            if isinstance(seq, cst.Name) and self.scope_body is not None:
                held = private_list(self.scope_body, stmt, seq.value)
                seq = held[0] if held is not None else seq
            if not isinstance(seq, (cst.List, cst.Tuple)):
                continue
            for element in seq.elements:
                value = element.value
                if not isinstance(value, cst.Call) or not value.args or value.args[0].keyword:
                    continue
                name = dotted_name(value.func)
                if name is None or name.rsplit(".", 1)[-1] != "Middleware":
                    continue
                registration = Registration.of(receiver, value.args, element, conditions, "ctor")
                registration.generation = self.generation.get(receiver, 0)
                registration.returns_before = self.returns
                self.registrations.append(registration)
