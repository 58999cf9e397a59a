"""A router that fails to import inside ``try/except: pass`` silently disappears from the API.

Entry points often load routers in ``try`` blocks so one broken router does not stop the app. When
the handler swallows the error (``pass``, ``continue``, or a log line without the traceback), a
typo or a wrong import in a route module turns into missing endpoints in production with nothing
in the logs to say why, and a critical router (auth) can vanish without failing the deploy. The
review found 66 routes loaded this way with silent failures and no check that required routes
loaded (section 5.1).

Finding: a ``try`` whose body imports a router module (``import``, ``from ... import``,
``importlib.import_module``) or calls ``include_router``, with a handler for import errors
(``ImportError``, ``Exception``, bare) that neither re-raises nor logs the traceback. A router
module is named with a word (``routes``, ``routers``, ``items_router``, ``endpoints``), not just
the letters (``coroutine_checker``, ``verbose_router_logger``), and importing a function or class
that a project's routers module defines (a request handler reusing ``query_memory`` from
``app.routers.memories``) is not a router load. Only the project's modules (those the index
resolves, and relative imports) can be routers: ``werkzeug.routing`` or a kernel library's
``moe_routing`` are not, whatever their names (in a project without packages, where a lone
script's imports cannot be told apart, names decide); a library's router counts when the ``try``
mounts it with ``include_router``. Inside an ``async def`` that is not a lifespan or
startup handler (a request handler, a task), only a ``try`` that calls ``include_router`` counts.
A handler that binds every name the ``try`` imports to an alternative (``except ImportError: from
app.routes import items_v1 as items``, or ``items = legacy_items``) is a fallback, not a silent
failure: the router loads, and a failing fallback raises. ``items = None`` is no alternative.

Fix (unsafe: a required router that fails now stops startup): the handler's log call becomes
``logger.exception`` (one is added if there is none); routers listed in ``required-routers`` (module
names like ``app.api.routes.auth`` or short names like ``auth``) re-raise; optional ones are
collected in a ``_failed_routers`` list, and one warning after the last loader names every router
that did not load. For ``import_module(name)`` in a loop the required check happens at run time
on the imported module name.

Example::

    try:
        from app.api.routes import jwks
        app.include_router(jwks.router)
    except ImportError:
        pass

    # becomes
    _failed_routers: list[str] = []

    try:
        from app.api.routes import jwks
        app.include_router(jwks.router)
    except ImportError:
        logger.exception("Router app.api.routes.jwks failed to load")
        _failed_routers.append("app.api.routes.jwks")

    if _failed_routers:
        logger.warning("Routers not loaded: %s", ", ".join(_failed_routers))
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk as walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods._generated import formatted_statements
from archfix.codemods._startup_support import (
    ensure_import,
    logger_expr,
    module_logger,
    startup_functions,
    string_literal,
)
from archfix.codemods.base import FileCodemod, function_defs
from archfix.codemods.mixed_environment_detection import source_of
from archfix.config import Option
from archfix.models import Fix
from archfix.project import Project, resolve_relative

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "critical"}
_IMPORTERS = {"import_module", "__import__"}


_ROUTER_WORDS = frozenset({"router", "routers", "route", "routes", "routing", "endpoints"})
"""Words that make a package or module part of a label a place of routes (``app.api.routes``)."""
_ROUTER_NAME_WORDS = frozenset({"router", "routers", "routes", "endpoints"})
"""Words that make the last part of a label a router (``items_router``, ``enterprise_routes``);
not ``route``, which ends helper names (``is_mapped_route``, ``get_route``)."""


def _router_like(label: str) -> bool:
    """Whether a dotted label names a router or something in a module of routes: a part that is,
    or ends with, one of the words (``app.api.routes.items``, ``app.routers``,
    ``enterprise_routes``), not one that merely holds the letters (``coroutine_checker``,
    ``autorouter_savings``, ``verbose_router_logger``, ``route_checks``, ``is_mapped_route``)."""
    *parents, last = label.lower().split(".")
    return last.rsplit("_", 1)[-1] in _ROUTER_NAME_WORDS or any(
        part.rsplit("_", 1)[-1] in _ROUTER_WORDS for part in parents
    )


_QUERY_VERBS = frozenset(
    {"get", "list", "count", "find", "clear", "is", "has", "iter", "describe", "dump", "show"}
)
"""First words of functions that read or reset a route registry (``get_all_protected_routes``):
named like routes, they mount none."""


def _queries(name: str) -> bool:
    return "_" in name and name.split("_", 1)[0].lower() in _QUERY_VERBS


def _import_label(module: str, name: str) -> str:
    """How ``from module import name`` is named: the module itself for ``*`` and for a router
    object (``router``, ``items_router``), else the imported name under its module."""
    return module if name == "*" or name.endswith("router") else f"{module}.{name}".lstrip(".")


@dataclass
class RouterLoad:
    """What one ``try`` block loads: static router labels, or a run-time module name expression."""

    labels: list[str] = field(default_factory=list)
    dynamic: cst.BaseExpression | None = None
    includes_router: bool = False

    @property
    def is_router(self) -> bool:
        return (
            self.includes_router
            or any(_router_like(label) for label in self.labels)
            or (self.dynamic is not None and "rout" in code_of(self.dynamic))
        )

    def describe(self) -> str:
        if self.dynamic is not None:
            return f"the router module named by {code_of(self.dynamic)}"
        return ", ".join(self.labels) or "a router"


@functools.lru_cache(maxsize=256)
def _functions_and_classes(text: str) -> frozenset[str]:
    """Names of the module-level functions and classes in ``text``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return frozenset()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return frozenset(stmt.name for stmt in tree.body if isinstance(stmt, kinds))


def _walk(nodes: Sequence[cst.CSTNode], visitor: cst.CSTVisitor) -> None:
    for node in nodes:
        node.visit(visitor)


class _LoadScanner(cst.CSTVisitor):
    """Collects router imports and include_router calls in a try body (not in nested defs)."""

    def __init__(
        self, importer: str | None, is_package: bool, project: Project | None = None
    ) -> None:
        self.load = RouterLoad()
        self.importer = importer
        self.is_package = is_package
        self.project = project
        self.includes: list[str] = []
        self.external: list[str] = []
        """Labels of what the ``from`` imports take from modules outside the project."""
        self.bound: set[str] | None = set()
        """Names the imports bind (None after a star import: unknown)."""

    def _helper(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` takes a function or class the project's ``module``
        defines (a handler importing ``query_memory`` from ``app.routers.memories`` uses a helper:
        it does not mount a router). Submodules and names like ``items_router`` never are."""
        if self.project is None or (_router_like(name) and not _queries(name)):
            return False
        index = self.project.index
        info = index.get(module)
        if info is None or info.dynamic or index.is_submodule(module, name):
            return False
        text = source_of(self.project, info.path)
        return text is not None and name in _functions_and_classes(text)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def _library(self, module: str) -> bool:
        """A standard-library module the project does not shadow (``import asyncio`` in a
        ``try`` that mounts a router is no router of its own)."""
        top = module.split(".")[0]
        return top in sys.stdlib_module_names and (
            self.project is None or self.project.index.get(top) is None
        )

    def _external(self, module: str) -> bool:
        """An absolute import of a module outside the project (``werkzeug.routing``, a kernel
        library's ``moe_routing``): whatever its name, it is no router of this app. Only told
        when the project has packages (a lone script's imports cannot be told apart), and
        never for a name the index resolves (a folder without ``__init__.py`` included)."""
        if self.project is None:
            return False
        index = self.project.index
        top = module.split(".")[0]
        if (
            not top
            or index.get(top) is not None
            or index.get(module) is not None
            or index.namespace_folder(top) is not None
        ):
            return False
        return any(info.is_package or "." in info.name for info in index.modules.values())

    def _foreign(self, module: str) -> bool:
        return self._library(module) or self._external(module)

    def visit_Import(self, node: cst.Import) -> None:
        if self.bound is not None:
            self.bound.update(_import_bindings(node))
        self.load.labels.extend(
            code_of(a.name) for a in node.names if not self._foreign(code_of(a.name))
        )

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.bound = None
        elif self.bound is not None:
            self.bound.update(_import_bindings(node))
        written = code_of(node.module) if node.module is not None else None
        module = (
            resolve_relative(written, len(node.relative), self.importer, self.is_package)
            if self.importer is not None and node.relative
            else written or ""
        )
        if not node.relative and self._library(module):
            return
        if not node.relative and self._external(module):
            # Named only if the try mounts nothing of the project's (``include_router`` of a
            # library's router): see ``_silent_handlers``.
            if not isinstance(node.names, cst.ImportStar):
                self.external.extend(_import_label(module, a.evaluated_name) for a in node.names)
            return
        if isinstance(node.names, cst.ImportStar):
            self.load.labels.append(module)
            return
        for alias in node.names:
            name = alias.evaluated_name
            if self._helper(module, name):
                continue
            label = _import_label(module, name)
            if label not in self.load.labels:
                self.load.labels.append(label)

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        last = name.rsplit(".", 1)[-1] if name else None
        if last in _IMPORTERS and node.args:
            arg = node.args[0].value
            if isinstance(arg, cst.SimpleString) and isinstance(arg.evaluated_value, str):
                if not self._external(arg.evaluated_value):
                    self.load.labels.append(arg.evaluated_value)
            else:
                self.load.dynamic = arg
        elif last == "include_router":
            self.load.includes_router = True
            if node.args:
                self.includes.append(code_of(node.args[0].value))


def _import_bindings(node: cst.Import | cst.ImportFrom) -> list[str]:
    """The names an import binds (``import a.b`` binds ``a``; a star import nothing known)."""
    if isinstance(node.names, cst.ImportStar):
        return []
    found = []
    for alias in node.names:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            found.append(alias.asname.name.value)
        elif isinstance(node, cst.Import):
            found.append(code_of(alias.name).split(".")[0])
        else:
            found.append(alias.evaluated_name)
    return found


class _Rebinds(cst.CSTVisitor):
    """The names a handler binds to an alternative: by an import (``from app.routes import
    items_v1 as items``), or by an assignment of another object (``items = legacy_items``,
    ``items = import_module(name)``). ``items = None`` is no alternative: it marks the loss."""

    def __init__(self) -> None:
        self.bound: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Import(self, node: cst.Import) -> None:
        self.bound.update(_import_bindings(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.bound.update(_import_bindings(node))

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        alternative = isinstance(value, (cst.Name, cst.Attribute)) and (
            dotted_name(value) not in {"None", "True", "False"}
        )
        if isinstance(value, cst.Call):
            called = dotted_name(value.func)
            alternative = bool(called) and called.rsplit(".", 1)[-1] in _IMPORTERS
        if alternative:
            self.bound.update(
                t.target.value for t in node.targets if isinstance(t.target, cst.Name)
            )


def _falls_back(handler: cst.ExceptHandler, bound: set[str] | None) -> bool:
    """Whether the handler binds every name the ``try`` imports to an alternative (another
    module version, an older layout): the load goes on, and if the fallback fails too, its
    error propagates. No silent loss, nothing to log."""
    if not bound:
        return False
    rebinds = _Rebinds()
    handler.body.visit(rebinds)
    return bound <= rebinds.bound


def _may_load_router(
    body: Sequence[ast.stmt], module_name: str | None, is_package: bool = False
) -> bool:
    """False only when :class:`_LoadScanner` certainly finds no router load in these statements:
    the same labels, judged by :func:`_router_like` (without the scanner's exclusions)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                if any(_router_like(alias.name) for alias in node.names):
                    return True
            elif isinstance(node, ast.ImportFrom):
                if node.level and module_name is None:
                    return True
                module = (
                    resolve_relative(node.module, node.level, module_name, is_package)
                    if node.level and module_name is not None
                    else node.module or ""
                )
                if any(_router_like(_import_label(module, a.name)) for a in node.names):
                    return True
            elif isinstance(node, ast.Call):
                func = node.func
                last = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else None
                )
                if last == "include_router" or last in _IMPORTERS:
                    return True
    return False


def _catches_import_errors(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = (
        [e.value for e in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    return any((dotted_name(t) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types)


class _HandlerScan(cst.CSTVisitor):
    """Whether a handler re-raises or keeps the traceback, and its log calls without one."""

    def __init__(self) -> None:
        self.keeps_error = False
        self.log_calls: list[cst.Call] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Raise(self, node: cst.Raise) -> None:
        self.keeps_error = True

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if any(
            a.keyword is not None
            and a.keyword.value == "exc_info"
            and not (isinstance(a.value, cst.Name) and a.value.value in {"False", "None"})
            for a in node.args
        ):
            self.keeps_error = True
            return
        if isinstance(func, cst.Attribute):
            if func.attr.value == "exception" or (dotted_name(func) or "").startswith("traceback."):
                self.keeps_error = True
            elif func.attr.value in _LOG_METHODS:
                self.log_calls.append(node)


def _names(body: Sequence[cst.CSTNode]) -> set[str]:
    found: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    _walk(body, _Names())
    return found


def _tries(stmt: cst.CSTNode) -> Iterator[cst.Try]:
    """The ``try`` statements in ``stmt`` (itself included, nested functions and classes not), in
    source order, found through the statement structure alone: a visitor would rebuild every
    node it passes."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return
    if isinstance(stmt, cst.Try):
        yield stmt
    if isinstance(stmt, cst.BaseCompoundStatement):
        for child in walk.child_statements(stmt):
            yield from _tries(child)


def _matches(label: str, entry: str) -> bool:
    label = label.removesuffix(".router")
    return label == entry or label.endswith("." + entry)


@dataclass
class _Plan:
    """How to rewrite one silent handler."""

    load: RouterLoad
    required: bool
    required_names: list[str]
    """For a dynamic load: the module names that must re-raise (checked at run time)."""
    log_calls: list[cst.Call]
    listed: bool = True
    """Whether the failure goes on the list summarised after the loaders (not where no code
    after them runs: a ``try`` whose body and handlers all return)."""


def _ends(block: cst.BaseSuite) -> bool:
    """Whether a block always leaves by ``return`` or ``raise`` on its last line."""
    if not isinstance(block, cst.IndentedBlock) or not block.body:
        return False
    last = block.body[-1]
    return isinstance(last, cst.SimpleStatementLine) and isinstance(
        last.body[-1], (cst.Return, cst.Raise)
    )


def _never_completes(stmt: cst.BaseStatement) -> bool:
    """A ``try`` after which nothing runs: its body and every handler return or raise."""
    return (
        isinstance(stmt, cst.Try)
        and stmt.orelse is None
        and _ends(stmt.body)
        and all(_ends(h.body) for h in stmt.handlers)
    )


class _ToException(cst.CSTTransformer):
    """Turns the handler's log calls that drop the traceback into ``logger.exception``."""

    def __init__(self, calls: set[int]) -> None:
        super().__init__()
        self.calls = calls

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if id(original_node) in self.calls and isinstance(updated_node.func, cst.Attribute):
            return updated_node.with_changes(
                func=updated_node.func.with_changes(attr=cst.Name("exception"))
            )
        return updated_node


class SilentRouteImport(FileCodemod):
    """Log router load failures with their traceback and fail fast for required routers."""

    id = "silent-route-import"
    title = "Don't swallow router import failures"
    section = "5.1 Dynamic Route Import (silent failures for critical routes)"
    fixable = Fix.UNSAFE
    triggers = ("include_router", "import_module", "rout")

    @classmethod
    def wants(cls, path: Path, text: str, project: Project) -> bool:
        """An error can only be swallowed by an ``except`` handler: files without one (most route
        modules, which merely mention ``router``) are never parsed."""
        return "except" in text and cls.wants_text(text)

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """Only a ``try`` whose body may load a router can be reported: one that imports
        something named like a router or a module of routes (see :func:`_router_like`), or calls
        ``include_router``/``import_module``/``__import__``."""
        try_types = (ast.Try, getattr(ast, "TryStar", ast.Try))
        info = project.index.get(module_name) if module_name is not None else None
        is_package = bool(info and info.is_package)
        return any(  # a try is a statement: walking the statement lists finds every one
            isinstance(stmt, try_types) and _may_load_router(stmt.body, module_name, is_package)
            for body in walk.blocks(tree)
            for stmt in body
        )

    priority = 50
    options: ClassVar = {
        "required-routers": Option(
            "list[str]",
            [],
            "Routers whose load failure must stop startup: module names or short names ('auth').",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.plans: dict[int, _Plan] = {}
        """id of the handler -> its rewrite."""
        self.scopes: dict[int, tuple[int, int]] = {}
        """id of a scope's body container (Module / IndentedBlock) -> first and last statement
        index holding a handler that records failures."""
        self.list_names: dict[int, str] = {}
        """id of a scope's body container -> the name of its failure list."""
        self.columns: dict[int, int] = {}
        """id of a scope's body container -> the column of its statements."""
        self.indent = 4
        """Width of the module's indentation unit."""
        self.logger: str | None = None
        self._stack: list[str] = []
        self._current_list = "_failed_routers"

    # -- analysis ---------------------------------------------------------------------------------

    def _analyse(self, node: cst.Module) -> None:
        self.logger = module_logger(node)
        self._scope(node, node.body, "_failed_routers")

        functions = function_defs(node)
        startup: set[int] | None = None
        for func in functions:
            if not isinstance(func.body, cst.IndentedBlock):
                continue
            mounts_only = False
            if func.asynchronous is not None:
                if startup is None:
                    found = startup_functions(node, walk.tree_of(self.ctx))
                    startup = {id(f.node) for f in found}
                # Routers are mounted while the app is built; an async function that is not a
                # lifespan or startup handler runs per request or task, where a try that only
                # imports uses what it imports (helpers of a router module, optional features).
                mounts_only = id(func) not in startup
            self._scope(func.body, func.body.body, "failed_routers", mounts_only)

    def _scope(
        self,
        container: cst.CSTNode,
        body: Sequence[cst.BaseStatement],
        list_name: str,
        mounts_only: bool = False,
    ) -> None:
        tries = [
            (index, node)
            for index, stmt in enumerate(body)
            if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
            for node in _tries(stmt)
        ]
        name_taken: bool | None = None
        # A summary after a try that always returns would never run: log each failure only.
        listed = not any(_never_completes(body[index]) for index, _ in tries)
        for index, node in tries:
            for handler, plan in self._silent_handlers(node, mounts_only):
                plan.listed = listed
                message = (
                    f"{plan.load.describe()} fails silently here: the handler drops the error and "
                    "its traceback, so a broken router just disappears from the API; log it with "
                    "logger.exception, and list routers that must load in required-routers"
                )
                if name_taken is None:
                    name_taken = listed and self._name_taken(list_name, body)
                if name_taken:
                    self.report(handler, message + f" (not changed: {list_name} already exists)")
                    continue
                if not self.report(handler, message, fix=Fix.UNSAFE):
                    continue
                self.plans[id(handler)] = plan
                if listed and not plan.required:
                    if id(container) not in self.columns:
                        position = self.position(body[index])
                        self.columns[id(container)] = position.start.column if position else 0
                    first, last = self.scopes.get(id(container), (index, index))
                    self.scopes[id(container)] = (min(first, index), max(last, index))
                    self.list_names[id(container)] = list_name

    def _name_taken(self, name: str, body: Sequence[cst.BaseStatement]) -> bool:
        """Whether ``body`` already uses ``name``. A name absent from the whole text (the tree's
        own printout) is in no node of it, which saves a traversal of the body."""
        source = self.ctx.source
        if source is not None and name not in source.text:
            return False
        return name in _names(body)

    def _silent_handlers(
        self, node: cst.Try, mounts_only: bool = False
    ) -> list[tuple[cst.ExceptHandler, _Plan]]:
        """The handlers of ``node`` that swallow a router load's failure; with ``mounts_only``,
        only a ``try`` that mounts a router (``include_router``) counts."""
        info = self.ctx.project.index.module_at(self.ctx.path)
        scanner = _LoadScanner(
            self.ctx.module_name, bool(info and info.is_package), self.ctx.project
        )
        _walk(node.body.body if isinstance(node.body, cst.IndentedBlock) else [node.body], scanner)
        bound = set(scanner.bound) if scanner.bound is not None else None
        if node.orelse is not None:
            node.orelse.visit(scanner)
        load = scanner.load
        if not load.labels and scanner.includes:
            # A library's router mounted here: named by its import when it has a router's name.
            external = [label for label in scanner.external if _router_like(label)]
            load.labels.extend(external or scanner.includes)
        if not load.is_router or (mounts_only and not load.includes_router):
            return []
        required_entries = self.ctx.options.get("required-routers", [])
        found = []
        for handler in node.handlers:
            if not _catches_import_errors(handler) or _falls_back(handler, bound):
                continue
            scan = _HandlerScan()
            handler.body.visit(scan)
            if scan.keeps_error:
                continue
            required = load.dynamic is None and any(
                _matches(label, entry) for label in load.labels for entry in required_entries
            )
            names = self._required_module_names(required_entries) if load.dynamic else []
            found.append((handler, _Plan(load, required, names, scan.log_calls)))
        return found

    def _required_module_names(self, entries: list[str]) -> list[str]:
        """Entries as written plus the project modules a short name ('auth') stands for."""
        names = set(entries)
        for entry in entries:
            if "." in entry:
                continue
            for info in self.ctx.project.index.unique_modules():
                if info.name.endswith("." + entry) and any("router" in n for n in info.defines):
                    names.add(info.name)
        return sorted(names)

    # -- transformation ---------------------------------------------------------------------------

    def _list_name(self, container: int) -> str:
        return self.list_names.get(container, "_failed_routers")

    def leave_ExceptHandler(
        self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        plan = self.plans.get(id(original_node))
        if plan is None:
            return updated_node
        return self._rewrite(original_node, plan)

    def _rewrite(self, handler: cst.ExceptHandler, plan: _Plan) -> cst.ExceptHandler:
        body = handler.body
        assert isinstance(body, cst.IndentedBlock)
        logged = bool(plan.log_calls)
        renamed = {id(c) for c in plan.log_calls}
        statements: list[cst.BaseStatement] = []
        for stmt in body.body:
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, cst.Pass)
                or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis))
                for s in stmt.body
            ):
                continue
            statements.append(stmt.visit(_ToException(renamed)))  # type: ignore[arg-type]
        logger = logger_expr(self.logger)
        new: list[str] = []
        load = plan.load
        list_name = self._current_list
        if load.dynamic is not None:
            expr = code_of(load.dynamic)
            if not logged:
                new.append(f'{logger}.exception("Router %s failed to load", {expr})')
            if plan.required_names:
                names = ", ".join(string_literal(n) for n in plan.required_names)
                new.append(f"if {expr} in {{{names}}}:\n    raise")
            if plan.listed:
                new.append(f"{list_name}.append({expr})")
        else:
            label = ", ".join(load.labels)
            if not logged:
                new.append(
                    f"{logger}.exception({string_literal(f'Router {label} failed to load')})"
                )
            if plan.required:
                new.append("raise")
            elif plan.listed and len(load.labels) == 1:
                new.append(f"{list_name}.append({string_literal(load.labels[0])})")
            elif plan.listed:
                items = ", ".join(string_literal(x) for x in load.labels)
                new.append(f"{list_name}.extend([{items}])")
        position = self.position(handler)
        column = (position.start.column if position else 0) + self.indent
        added = formatted_statements("\n".join(new) + "\n", column, self.ctx.project.root)
        stop = next(
            (
                i
                for i, s in enumerate(statements)
                if isinstance(s, cst.SimpleStatementLine)
                and isinstance(s.body[0], (cst.Continue, cst.Break, cst.Return))
            ),
            len(statements),
        )
        return handler.with_changes(
            body=body.with_changes(body=[*statements[:stop], *added, *statements[stop:]])
        )

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if id(node) in self.scopes:
            self._stack.append(self._current_list)
            self._current_list = self._list_name(id(node))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if id(original_node) not in self.scopes:
            return updated_node
        self._current_list = self._stack.pop()
        body = self._with_list(list(updated_node.body), id(original_node))
        return updated_node.with_changes(body=body)

    def visit_Module(self, node: cst.Module) -> bool:
        self.indent = len(node.default_indent.expandtabs())
        self._analyse(node)
        return bool(self.plans)  # nothing planned: skip the transforming traversal

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        module = updated_node
        if id(original_node) in self.scopes:
            module = module.with_changes(
                body=self._with_list(list(updated_node.body), id(original_node))
            )
        if self.plans and self.logger is None:
            module = ensure_import(module, "logging")
        return module

    def _with_list(self, body: list[cst.BaseStatement], container: int) -> list[cst.BaseStatement]:
        """Declare the failure list before the first loader and log it once after the last."""
        first, last = self.scopes[container]
        name = self._list_name(container)
        logger = logger_expr(self.logger)
        column = self.columns.get(container, 0)
        root = self.ctx.project.root
        (summary,) = formatted_statements(
            f'if {name}:\n    {logger}.warning("Routers not loaded: %s", ", ".join({name}))\n',
            column,
            root,
        )
        summary = summary.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        (declaration,) = formatted_statements(f"{name}: list[str] = []\n", column, root)
        target = body[first]
        assert isinstance(target, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        blank: list[cst.EmptyLine] = []
        rest = list(target.leading_lines)
        while rest and rest[0].comment is None:
            blank.append(rest.pop(0))
        body[first] = target.with_changes(leading_lines=[cst.EmptyLine(indent=False), *rest])
        return [
            *body[:first],
            declaration.with_changes(leading_lines=blank),
            *body[first : last + 1],
            summary,
            *body[last + 1 :],
        ]
