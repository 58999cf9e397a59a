"""CORS that allows every origin lets any web page read the API's responses.

``CORSMiddleware(allow_origins=["*"])`` answers every cross-site request with the data, so a page on
any domain can call the API from a visitor's browser (review section 8). With
``allow_credentials=True`` it is worse: browsers refuse a credentialed response with
``Access-Control-Allow-Origin: *``, so Starlette reflects the caller's ``Origin`` instead and any site
can make *authenticated* requests with the user's cookies. The same holds when ``allow_origins`` is
a settings field whose default is ``["*"]``: every deployment that forgets to set it is wide open.

The value is followed to where it comes from: a name bound once in its scope (``origins = ["*"]``,
``origins = settings.cors_origins``, a constant imported from a project module), a conditional or
``or`` with a wildcard branch (``X if prod else ["*"]``: open in some configurations), and settings
objects reached through a project getter (``get_settings().cors_origins``, ``cfg = get_settings()``,
with the getter's return annotation or ``return Settings()`` naming the settings class), and through
up to two fields holding another project pydantic model (``settings.cors.allow_origins`` with
``cors: Cors = Field(default_factory=Cors)``, ``= Cors()`` or a required ``cors: Cors``: that
model's own default counts). A name rebound in its scope, a list its scope changes in place other
than by adding to it (``origins.clear()``, ``origins.remove("*")``, ``origins[:] = ...``, anywhere
in the scope: the list is read when the app is built), a parameter, a name some ``global``
statement may rebind, and a nested model whose class or default is not known (``Cors | None = None``,
``Cors(allow_origins=...)``, a class from outside the project) are not guessed at.

No fix: the right origin list is a product decision. List the front-end origins explicitly (from
settings, with no wildcard default) or use ``allow_origin_regex`` for a known domain family.

Example::

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    # use instead
    app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_credentials=True)
    # with CORS_ORIGINS: list[str] = ["https://app.example.com"]
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods._walk import dotted
from archfix.codemods.base import FileCodemod, FileContext
from archfix.codemods.mixed_environment_detection import (
    SettingsModel,
    _char_col,
    _field,
    find_settings,
    source_of,
    through_reexports,
)
from archfix.config import Option
from archfix.models import Fix
from archfix.project import Project, resolve_relative

_ANY_REGEX = {".*", ".+", "^.*$", "^.+$", "^.*", ".*$", "https?://.*", "^https?://.*$"}


def _has_star(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value == "*"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value == "*" for e in node.elts)
    return False


def _literal(node: cst.BaseExpression) -> ast.expr | None:
    try:
        return ast.parse(f"({code_of(node)})", mode="eval").body
    except SyntaxError:
        return None


_REGISTRARS = ("add_middleware", "Middleware")


def _may_register(node: ast.AST, classes: list[str]) -> bool:
    """``add_middleware(C, ...)``/``Middleware(C, ...)`` with ``C`` one of ``classes``, as
    ``leave_Call`` looks for it. Which argument comes first in the source is not visible in the
    ``ast`` (positional and keyword arguments are kept apart), so any one without a keyword counts.
    """
    if not isinstance(node, ast.Call):
        return False
    name = _walk.dotted(node.func)
    if name is None or name.rsplit(".", 1)[-1] not in _REGISTRARS:
        return False
    firsts = [a.value if isinstance(a, ast.Starred) else a for a in node.args]
    firsts += [k.value for k in node.keywords if k.arg is None]
    return any((_walk.dotted(a) or "").rsplit(".", 1)[-1] in classes for a in firsts)


def _may_register_cst(node: cst.BaseExpression, classes: list[str]) -> bool:
    """:func:`_may_register` for a libcst node (the same calls match on both sides)."""
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func)
    if name is None or name.rsplit(".", 1)[-1] not in _REGISTRARS:
        return False
    return any(
        (dotted_name(a.value) or "").rsplit(".", 1)[-1] in classes
        for a in node.args
        if a.keyword is None
    )


class CorsWildcard(_walk.Pruning, FileCodemod):
    """Report CORS registrations that allow every origin."""

    id = "cors-wildcard"
    title = "Allow CORS from listed origins, never from every origin"
    section = "8 Security Concerns (2)"
    fixable = Fix.NONE
    triggers = ("CORSMiddleware",)
    priority = 75
    options: ClassVar = {
        "middleware-classes": Option(
            "list[str]", ["CORSMiddleware"], "CORS middleware classes (last name part)."
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.classes: list[str] = ctx.options.get("middleware-classes", ["CORSMiddleware"])
        self.counts: dict[int, int] = {}
        self._resolver: _Resolver | None = None

    def visit_Module(self, node: cst.Module) -> bool:
        """Enter only the statements holding a call that may register CORS middleware."""
        tree = _walk.tree_of(self.ctx)
        if tree is None:
            return True
        route = _walk.route(
            node,
            tree,
            lambda n: _may_register(n, self.classes),
            needles=_REGISTRARS,
            text=self.ctx.source.text if self.ctx.source is not None else None,
            counts=self.counts,
        )
        if route is not None and route.empty:
            return False
        self.prune(route)
        return True

    def on_visit(self, node: cst.CSTNode) -> bool:
        """A line whose candidate calls are all its statements (``app.add_middleware(...)``) is
        checked without traversing it: those calls are the only ones ``leave_Call`` reports."""
        descend = super().on_visit(node)
        if descend and id(node) in self.counts and isinstance(node, cst.SimpleStatementLine):
            direct = [
                small.value
                for small in node.body
                if isinstance(small, cst.Expr) and _may_register_cst(small.value, self.classes)
            ]
            if len(direct) == self.counts[id(node)]:
                for call in direct:
                    self._check(call)  # type: ignore[arg-type]
                return False
        return descend

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        self._check(original_node)
        return updated_node

    def _check(self, node: cst.Call) -> None:
        """Report ``node`` when it registers CORS middleware for every origin."""
        name = dotted_name(node.func)
        if name is None:
            return
        short = name.rsplit(".", 1)[-1]
        if short not in ("add_middleware", "Middleware") or not node.args:
            return
        first = node.args[0]
        cls = dotted_name(first.value) if first.keyword is None else None
        classes = self.ctx.options.get("middleware-classes", ["CORSMiddleware"])
        if cls is None or cls.rsplit(".", 1)[-1] not in classes:
            return
        kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        credentials = kwargs.get("allow_credentials")
        with_credentials = isinstance(credentials, cst.Name) and credentials.value == "True"
        problem = self._wildcard(kwargs, node)
        if problem is None:
            return
        if with_credentials:
            message = (
                f"{problem}; with allow_credentials=True, browsers refuse a credentialed '*' response, "
                "so Starlette reflects the caller's Origin and any web site can make authenticated "
                "requests with your users' cookies; list the allowed origins explicitly"
            )
        else:
            message = (
                f"{problem}: any web site can read this API's responses from a visitor's browser; "
                "list the allowed origins explicitly"
            )
        self.report(node, message)

    def _wildcard(self, kwargs: dict[str, cst.BaseExpression], node: cst.Call) -> str | None:
        regex = kwargs.get("allow_origin_regex")
        if regex is not None:
            value = _literal(regex)
            if isinstance(value, ast.Constant) and value.value in _ANY_REGEX:
                return f"allow_origin_regex={code_of(regex)} matches every origin"
        origins = kwargs.get("allow_origins")
        if origins is None:
            return None
        if _has_star(_literal(origins)):
            return f"allow_origins={code_of(origins)} allows every origin"
        if isinstance(origins, (cst.SimpleString, cst.ConcatenatedString, cst.List, cst.Tuple)):
            return None  # a literal without a wildcard: nothing to resolve
        return self._resolved(origins, node)

    def _resolved(self, origins: cst.BaseExpression, node: cst.Call) -> str | None:
        """Follow ``allow_origins`` through names, conditionals and settings objects (the ``ast``
        view of the same call, found by position) to a wildcard it can evaluate to."""
        if self._resolver is None:
            self._resolver = _Resolver.for_file(self.ctx)
        resolver = self._resolver
        pos = self.position(node)
        if resolver is None or pos is None:
            return None
        found = resolver.locate(
            (pos.start.line, pos.start.column), (pos.end.line, pos.end.column), self.classes
        )
        if found is None:
            return None
        call, scopes = found
        value = next((k.value for k in call.keywords if k.arg == "allow_origins"), None)
        if value is None:
            return None
        why = resolver.wildcard(value, _Place(resolver.here, scopes), 0)
        if why is None:
            return None
        code = code_of(origins)
        if len(why.steps) == 1 and why.default and isinstance(origins, cst.Attribute):
            return f"allow_origins={code} {why.detail}, so every origin is allowed wherever it is not set"
        when = " in some configurations" if why.conditional else ""
        unset = " wherever it is not set" if why.default else ""
        return f"allow_origins={code} allows every origin{when}{unset} ({'; '.join(why.steps)})"


# --- resolving allow_origins ------------------------------------------------------------------


@dataclass
class _Module:
    """A module whose names the resolver looks up."""

    name: str
    is_package: bool
    path: Path
    tree: ast.Module


@dataclass
class _Place:
    """Where an expression is evaluated: its module and the scopes around it, innermost first
    (the module itself last)."""

    module: _Module
    scopes: tuple[ast.AST, ...]


@dataclass
class _Why:
    """How a value can be a wildcard: the steps that lead there, and under which condition."""

    steps: list[str]
    conditional: bool = False
    """Only some configurations take the wildcard (one branch of a conditional)."""
    default: bool = False
    """The wildcard is a settings field's default (it holds wherever the field is not set)."""
    detail: str = ""
    """For a settings default: ``defaults to [...] (path:line)``."""

    def before(self, step: str, *, conditional: bool = False) -> _Why:
        return _Why([step, *self.steps], self.conditional or conditional, self.default, self.detail)


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MAX_DEPTH = 12
_MAX_NESTED = 2
"""How many nested settings models (``settings.api.cors``) are followed."""
_MODEL_BASES = {"BaseModel", "BaseSettings"}


def _field_class(stmt: ast.AnnAssign) -> ast.expr | None:
    """The class a settings field's default is an instance of, as written: ``Cors`` in
    ``Field(default_factory=Cors)``, ``Field(default_factory=lambda: Cors())``, ``= Cors()`` or
    (a required field) ``cors: Cors``. None for any other default or annotation, or a
    constructor given arguments (they may set the very field asked about)."""
    value = stmt.value
    if isinstance(value, ast.Call) and (dotted(value.func) or "").rsplit(".", 1)[-1] == "Field":
        kw = {k.arg: k.value for k in value.keywords if k.arg}
        factory = kw.get("default_factory")
        if factory is not None:
            if isinstance(factory, ast.Lambda):
                value = factory.body
            else:
                return factory if dotted(factory) else None
        else:
            value = kw.get("default", value.args[0] if value.args else None)
            if isinstance(value, ast.Constant) and value.value is Ellipsis:
                value = None  # ``Field(...)``: required
    if value is None:
        annotation = stmt.annotation
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        return annotation if dotted(annotation) else None
    if isinstance(value, ast.Call) and not value.args and not value.keywords:
        return value.func if dotted(value.func) else None
    return None


def _scoped_children(
    node: ast.AST, scopes: tuple[ast.AST, ...]
) -> Iterator[tuple[ast.AST, tuple[ast.AST, ...]]]:
    """The children of ``node`` with the scopes they are evaluated in (innermost first): a
    function's body runs in its own scope, its decorators and defaults in the enclosing one."""
    inner = (node, *scopes)
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        body = {id(s) for s in node.body}
        for child in ast.iter_child_nodes(node):
            yield child, inner if id(child) in body else scopes
    elif isinstance(node, ast.Lambda):
        for child in ast.iter_child_nodes(node):
            yield child, inner if child is node.body else scopes
    elif isinstance(node, _COMPREHENSIONS):
        first = node.generators[0].iter
        yield first, scopes
        stack: list[ast.AST] = [c for c in ast.iter_child_nodes(node)]
        while stack:
            child = stack.pop()
            if isinstance(child, ast.comprehension):
                stack.extend(c for c in ast.iter_child_nodes(child) if c is not first)
            else:
                yield child, inner
    else:
        for child in ast.iter_child_nodes(node):
            yield child, scopes


def _own(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope's own code: nested functions, classes and comprehensions are
    included (their names, decorators and defaults belong here), their bodies are not."""
    if isinstance(scope, ast.Module):
        stack = list(ast.iter_child_nodes(scope))
    else:
        stack = [child for child, scopes in _scoped_children(scope, ()) if scopes]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child, scopes in _scoped_children(node, ()) if not scopes)


def _binds(node: ast.AST, name: str) -> bool:
    """Whether ``node`` binds ``name`` in the scope it belongs to."""
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.alias):
        return (node.asname or node.name.partition(".")[0]) == name
    if isinstance(node, ast.ExceptHandler):
        return node.name == name
    if isinstance(node, (ast.MatchAs, ast.MatchStar)):
        return node.name == name
    if isinstance(node, ast.MatchMapping):
        return node.rest == name
    return False


def _parameters(scope: ast.AST) -> set[str]:
    if not isinstance(scope, (*_FUNCTIONS, ast.Lambda)):
        return set()
    args = scope.args
    every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
    return {a.arg for a in every if a is not None}


_KEEPS_ITEMS = frozenset(
    {"append", "extend", "insert", "add", "update", "sort", "reverse", "copy", "count", "index"}
    | {"union", "difference", "intersection", "symmetric_difference"}
    | {"isdisjoint", "issubset", "issuperset"}
    | {n for n in dir(str) if not n.startswith("_")}  # a str is never changed in place
)
"""Methods that leave every element of a list or set in place (or change nothing)."""


def _mutated(scope: ast.AST, name: str) -> bool:
    """Whether code in ``scope`` (nested functions included: they may run before the app is
    built) may take elements out of the object ``name`` holds: ``origins.clear()``,
    ``origins.remove("*")``, ``origins[:] = ...``, ``del origins[0]``. A list changed in place
    is not known to still hold the wildcard, wherever the change is (CORSMiddleware reads the
    list when the app is first built, after the module has run)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner, changes = node.func.value, node.func.attr not in _KEEPS_ITEMS
        elif isinstance(node, ast.Subscript):
            owner, changes = node.value, isinstance(node.ctx, (ast.Store, ast.Del))
        else:
            continue
        if changes and isinstance(owner, ast.Name) and owner.id == name:
            return True
    return False


def _declared(scope: ast.AST, kind: type[ast.Global] | type[ast.Nonlocal], name: str) -> bool:
    return any(isinstance(n, kind) and name in n.names for n in _own(scope))


class _Resolver:
    """Resolves what ``allow_origins`` can evaluate to, from the ``ast`` of the visited file and of
    the project modules it imports from. A name is followed only when its scope binds it once
    (``origins = ...``, an import): a name rebound anywhere in its scope, or whose list is
    changed in place there, is not guessed at."""

    def __init__(self, project: Project, here: _Module, lines: list[str]) -> None:
        self.project = project
        self.here = here
        self.lines = lines
        self.modules: dict[str, _Module | None] = {here.name: here}
        self.models = find_settings(project)
        self.nested: dict[tuple[str, str, str], SettingsModel | None] = {}

    @classmethod
    def for_file(cls, ctx: FileContext) -> _Resolver | None:
        try:
            text = ctx.source.text if ctx.source is not None else "\n".join(ctx.lines)
            tree = ctx.source.tree() if ctx.source is not None else ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        info = ctx.project.index.module_at(ctx.path)
        name = info.name if info else (ctx.module_name or "")
        here = _Module(name, bool(info and info.is_package), ctx.path, tree)
        return cls(ctx.project, here, ctx.lines)

    def locate(
        self, start: tuple[int, int], end: tuple[int, int], classes: list[str]
    ) -> tuple[ast.Call, tuple[ast.AST, ...]] | None:
        """The outermost CORS registration inside the source range ``start``-``end`` (lines and
        character columns, as libcst gives them) and the scopes around it."""
        lines = self.lines
        stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(self.here.tree, (self.here.tree,))]
        while stack:
            node, scopes = stack.pop()
            first = getattr(node, "lineno", None)
            last = getattr(node, "end_lineno", None)
            if first is not None and last is not None and (last < start[0] or first > end[0]):
                continue  # nothing in this subtree is in the range
            if isinstance(node, ast.Call) and _may_register(node, classes):
                assert node.end_lineno is not None and node.end_col_offset is not None
                begins = (node.lineno, _char_col(lines, node.lineno, node.col_offset))
                ends = (node.end_lineno, _char_col(lines, node.end_lineno, node.end_col_offset))
                if start <= begins and ends <= end:
                    return node, scopes  # parents come first: this is the outermost
            stack.extend(_scoped_children(node, scopes))
        return None

    # --- names -----------------------------------------------------------------------------

    def module(self, name: str) -> _Module | None:
        """A project module's tree (parsed once per file visit)."""
        if name not in self.modules:
            found: _Module | None = None
            info = self.project.index.get(name)
            text = source_of(self.project, info.path) if info is not None else None
            if info is not None and text is not None:
                try:
                    found = _Module(name, info.is_package, info.path, ast.parse(text))
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    found = None
            self.modules[name] = found
        return self.modules[name]

    def bindings(self, name: str, place: _Place) -> tuple[list[ast.AST], _Place] | None:
        """The nodes that bind ``name`` in the scope that ``place`` reads it from, and that scope;
        None when nothing binds it there (a builtin), it is a parameter, or a ``global`` or
        ``nonlocal`` statement elsewhere may rebind it."""
        scopes = place.scopes
        for i, scope in enumerate(scopes[:-1]):
            if isinstance(scope, ast.ClassDef) and i > 0:
                continue  # a class body's names are not visible in its methods
            if _declared(scope, ast.Global, name):
                break
            if name in _parameters(scope):
                return None
            nodes = [n for n in _own(scope) if _binds(n, name)]
            if nodes:
                if any(
                    _declared(f, ast.Nonlocal, name)
                    for f in ast.walk(scope)
                    if f is not scope and isinstance(f, (*_FUNCTIONS, ast.Lambda))
                ):
                    return None
                return nodes, _Place(place.module, scopes[i:])
        tree = scopes[-1]
        nodes = [n for n in _own(tree) if _binds(n, name)]
        if not nodes or any(
            _declared(f, ast.Global, name) for f in ast.walk(tree) if isinstance(f, _FUNCTIONS)
        ):
            return None
        return nodes, _Place(place.module, (tree,))

    def _imported(self, alias: ast.alias, scope: ast.AST, module: _Module) -> str | None:
        """The qualified name an import alias binds."""
        for node in _own(scope):
            if isinstance(node, ast.ImportFrom) and alias in node.names:
                base = resolve_relative(node.module, node.level, module.name, module.is_package)
                return f"{base}.{alias.name}" if base else alias.name
            if isinstance(node, ast.Import) and alias in node.names:
                return alias.name if alias.asname else alias.name.partition(".")[0]
        return None

    def assigned(self, name: str, place: _Place) -> tuple[ast.expr, _Place, int] | None:
        """The value of ``name`` when its scope binds it exactly once, by ``name = value``."""
        found = self.bindings(name, place)
        if found is None or len(found[0]) != 1:
            return None
        (target,), where = found
        for node in _own(where.scopes[0]):
            if isinstance(node, ast.Assign) and node.targets == [target]:
                return node.value, where, node.lineno
            if isinstance(node, ast.AnnAssign) and node.target is target and node.value:
                return node.value, where, node.lineno
        return None

    def qualify(self, expr: ast.expr, place: _Place) -> list[str]:
        """The qualified names (through imports and re-exports) a dotted name may denote: one
        per import that binds its head, or the module's own name for a module-level definition;
        none when its head is a local variable or unknown."""
        name = dotted(expr)
        if name is None:
            return []
        head, _, rest = name.partition(".")
        found = self.bindings(head, place)
        if found is None:
            return []
        nodes, where = found
        scope = where.scopes[0]
        aliases = [n for n in nodes if isinstance(n, ast.alias)]
        if len(aliases) == len(nodes):
            bases = [self._imported(a, scope, where.module) for a in aliases]
        elif not aliases and isinstance(scope, ast.Module):
            bases = [f"{where.module.name}.{head}"]
        else:
            return []
        return [
            through_reexports(self.project, f"{b}.{rest}" if rest else b)
            for b in bases
            if b is not None
        ]

    def where(self, module: _Module, line: int) -> str:
        if module is self.here:
            return f"line {line}"
        try:
            return f"{module.path.relative_to(self.project.root).as_posix()}:{line}"
        except ValueError:
            return f"{module.path}:{line}"

    # --- settings objects ------------------------------------------------------------------

    def _instance(self, qualified: str) -> SettingsModel | None:
        return next(
            (m for m in self.models if any(qualified == f"{m.module}.{i}" for i in m.instances)),
            None,
        )

    def _class(self, qualified: str) -> SettingsModel | None:
        return next((m for m in self.models if qualified == f"{m.module}.{m.name}"), None)

    def settings_of(
        self, expr: ast.expr, place: _Place, depth: int, nested: int = 0
    ) -> tuple[SettingsModel, list[str]] | None:
        """The settings class ``expr`` is an instance of (``settings``, ``get_settings()``, a
        local ``cfg = get_settings()``, a nested model ``settings.cors``), with the steps that
        show it."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, (ast.Name, ast.Attribute)):
            found = {id(m): m for m in map(self._instance, self.qualify(expr, place)) if m}
            if len(found) == 1:
                return next(iter(found.values())), []
            if isinstance(expr, ast.Attribute) and not found and nested < _MAX_NESTED:
                # ``settings.cors``: a field whose value is another project settings model
                parent = self.settings_of(expr.value, place, depth + 1, nested + 1)
                if parent is None:
                    return None
                inner = self._field_model(parent[0], expr.attr)
                return (inner, parent[1]) if inner is not None else None
            if isinstance(expr, ast.Name):
                value = self.assigned(expr.id, place)
                if value is not None:
                    inner = self.settings_of(value[0], value[1], depth + 1, nested)
                    if inner is not None:
                        step = f"{expr.id} = {ast.unparse(value[0])} ({self.where(value[1].module, value[2])})"
                        return inner[0], [step, *inner[1]]
            return None
        if isinstance(expr, ast.Call):
            models: dict[int, SettingsModel] = {}
            for name in self.qualify(expr.func, place):
                model = self._class(name) or self._getter(name, depth + 1)
                if model is None:
                    return None
                models[id(model)] = model
            if len(models) == 1:
                return next(iter(models.values())), []
        return None

    def _class_node(self, module: _Module, name: str) -> ast.ClassDef | None:
        """The class ``name`` defined once at the top of ``module``."""
        found = self.bindings(name, _Place(module, (module.tree,)))
        if found is None or len(found[0]) != 1 or not isinstance(found[0][0], ast.ClassDef):
            return None
        return found[0][0]

    def _field_model(self, model: SettingsModel, attr: str) -> SettingsModel | None:
        """The project model class that the field ``attr`` of ``model`` holds an instance of by
        default: its ``default_factory=Cors``, its default ``Cors()``, or (no default) its
        annotation ``Cors``. None when that cannot be known (``Cors(allow_origins=...)``,
        ``Cors | None = None``, a class from outside the project)."""
        key = (model.module, model.name, attr)
        if key in self.nested:
            return self.nested[key]
        self.nested[key] = None
        module = self.module(model.module)
        node = self._class_node(module, model.name) if module is not None else None
        if module is None or node is None:
            return None
        stmts = [
            s
            for s in node.body
            if isinstance(s, ast.AnnAssign)
            and isinstance(s.target, ast.Name)
            and s.target.id == attr
        ]
        if len(stmts) != 1:
            return None
        kind = _field_class(stmts[0])
        if kind is None:
            return None
        top = _Place(module, (module.tree,))
        classes = [self._model_class(q) for q in self.qualify(kind, top)]
        if classes and classes[0] is not None and all(c is classes[0] for c in classes):
            self.nested[key] = classes[0]
        return self.nested[key]

    def _model_class(self, qualified: str) -> SettingsModel | None:
        """A project pydantic model class (``BaseModel``/``BaseSettings`` subclass) by its
        qualified name, with the fields it declares itself."""
        known = self._class(qualified)
        if known is not None:
            return known
        module_name, _, name = qualified.rpartition(".")
        module = self.module(module_name)
        node = self._class_node(module, name) if module is not None else None
        if module is None or node is None:
            return None
        if not any((dotted(b) or "").rsplit(".", 1)[-1] in _MODEL_BASES for b in node.bases):
            return None
        model = SettingsModel(module_name, module.path, name)
        for stmt in node.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and "ClassVar" not in ast.unparse(stmt.annotation)
            ):
                model.fields[stmt.target.id] = _field(stmt, stmt.target.id)
        return model

    def _getter(self, qualified: str, depth: int) -> SettingsModel | None:
        """The settings class a project function returns: by its return annotation, or because
        every ``return`` gives an instance of it (``@lru_cache def get_settings(): ...``)."""
        module_name, _, name = qualified.rpartition(".")
        module = self.module(module_name)
        if module is None or depth > _MAX_DEPTH:
            return None
        top = _Place(module, (module.tree,))
        found = self.bindings(name, top)
        if found is None or len(found[0]) != 1 or not isinstance(found[0][0], _FUNCTIONS):
            return None
        function = found[0][0]
        returns = function.returns
        if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
            try:
                returns = ast.parse(returns.value, mode="eval").body
            except SyntaxError:
                returns = None
        if returns is not None:
            classes = [self._class(q) for q in self.qualify(returns, top)]
            if not classes or any(c is None or c is not classes[0] for c in classes):
                return None
            return classes[0]
        inside = _Place(module, (function, module.tree))
        values = [n.value for n in _own(function) if isinstance(n, ast.Return)]
        if not values or any(v is None for v in values):
            return None
        results = [self.settings_of(v, inside, depth + 1) for v in values if v is not None]
        models = {id(r[0]): r[0] for r in results if r is not None}
        if len(models) != 1 or None in results:
            return None
        return next(iter(models.values()))

    # --- wildcards -------------------------------------------------------------------------

    def wildcard(self, expr: ast.expr, place: _Place, depth: int) -> _Why | None:
        """How ``expr`` can evaluate to a list that allows every origin, if it can."""
        if depth > _MAX_DEPTH:
            return None
        if _has_star(expr):
            return _Why([])
        if isinstance(expr, ast.IfExp):
            for branch in (expr.body, expr.orelse):
                inner = self.wildcard(branch, place, depth + 1)
                if inner is not None:
                    return inner.before(f"one branch is {ast.unparse(branch)}", conditional=True)
            return None
        if isinstance(expr, ast.BoolOp):
            # ``a or b`` can give any operand; ``a and b`` a falsy one or the last
            operands = expr.values if isinstance(expr.op, ast.Or) else expr.values[-1:]
            for operand in operands:
                inner = self.wildcard(operand, place, depth + 1)
                if inner is not None:
                    return inner.before(f"it can be {ast.unparse(operand)}", conditional=True)
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            for side in (expr.left, expr.right):
                inner = self.wildcard(side, place, depth + 1)
                if inner is not None:
                    return inner.before(f"it includes {ast.unparse(side)}")
            return None
        if isinstance(expr, ast.Name):
            return self._name_wildcard(expr.id, place, depth)
        if isinstance(expr, ast.Attribute):
            owner = self.settings_of(expr.value, place, depth + 1)
            if owner is None:
                return None
            model, steps = owner
            fld = model.fields.get(expr.attr)
            if fld is None or fld.default is None or not _has_star(fld.default):
                return None
            try:
                path = model.path.relative_to(self.project.root).as_posix()
            except ValueError:
                path = str(model.path)
            detail = f"defaults to {ast.unparse(fld.default)} ({path}:{fld.line})"
            return _Why([*steps, f"{ast.unparse(expr)} {detail}"], default=True, detail=detail)
        return None

    def _name_wildcard(self, name: str, place: _Place, depth: int) -> _Why | None:
        value = self.assigned(name, place)
        if value is not None:
            inner = self.wildcard(value[0], value[1], depth + 1)
            if inner is None or _mutated(value[1].scopes[0], name):
                return None
            where = self.where(value[1].module, value[2])
            return inner.before(f"{name} = {ast.unparse(value[0])} ({where})")
        found = self.bindings(name, place)
        if found is None or len(found[0]) != 1 or not isinstance(found[0][0], ast.alias):
            return None
        (alias,), where_bound = found
        qualified = self._imported(alias, where_bound.scopes[0], where_bound.module)
        if qualified is None:
            return None
        qualified = through_reexports(self.project, qualified)
        module_name, _, attr = qualified.rpartition(".")
        module = self.module(module_name)
        if module is None or module is self.here:
            return None
        inner = self.wildcard(ast.Name(attr, ast.Load()), _Place(module, (module.tree,)), depth + 1)
        if inner is None or _mutated(where_bound.scopes[0], name):
            return None  # ``ORIGINS.clear()`` here, after ``from .origins import ORIGINS``
        return inner
