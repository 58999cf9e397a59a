"""Routers registered against the app's own convention end up in the wrong place or the wrong docs group.

When most ``include_router`` calls on an app give a ``prefix`` and ``tags``, the one that does not
is usually a mistake: its routes mount at the root (``/items`` instead of ``/api/v1/items``, where
clients and the gateway do not look) or land in the OpenAPI "default" group (review section 5.2).
The rule learns the convention per app from the file itself, counting prefixes and tags given to
``include_router``, given to the router's own ``APIRouter(prefix=..., tags=...)``, or listed in a
table of ``(module, prefix, tags)`` rows that a loop feeds to ``include_router``; a registration is
reported when it lacks what most of the others (at least two) have. Apps are told apart by scope:
two factories that each build an ``app`` build two apps, while a function that registers on the
module's ``app`` adds to it. An app built with ``openapi_url=None`` serves no OpenAPI document, so
its routers are not asked for tags (prefixes still count). No prefix is claimed missing for a router
whose definition is not read (a module outside the project, or one that does not assign it plainly),
and nothing is claimed about a router held in a parameter or local variable (``plugin.router``).

Some routers are root-level by design (``/.well-known/...``, health checks, routes that mostly serve
pages (templates, ``HTMLResponse``, ``FileResponse``), a catch-all ``/{path:path}`` route): their
missing prefix is reported with a lower-key message; list them in the option ``exempt`` (glob patterns matched against
the router's module, its expression, or its prefix) to skip them entirely. A router left out of the
OpenAPI docs (``include_in_schema=False`` on the call, the router or every route) is not asked for
tags, nor counted in the tags convention; a router whose every route gives its own ``tags`` has them. Two kinds are not reported:
a router whose module mounts other routers on it (it groups them; they carry the prefixes and tags),
and a router without a prefix whose routes spell their paths in full, beside the others' (``/assets``
and ``/assets/{id}`` among prefixes ``/dags`` and ``/pools``; under ``/api/...`` prefixes the paths
must start with ``/api/``), as large apps such as Airflow's API mount them.

Fix (unsafe: it changes the OpenAPI document that clients are generated from): a registration without
tags whose prefix is a literal gets ``tags=["<last path segment of the prefix>"]`` (a ``None`` in a
table row is replaced the same way). A missing prefix is never added: it moves URLs.

Example::

    app.include_router(users.router, prefix="/api/v1/users", tags=["users"])
    app.include_router(items.router, prefix="/api/v1/items")
    # becomes
    app.include_router(items.router, prefix="/api/v1/items", tags=["items"])
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from dataclasses import dataclass, field, replace
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods.base import FileCodemod
from archfix.codemods.mixed_environment_detection import import_bindings, source_of
from archfix.config import Option
from archfix.models import Fix

_SPECIAL_PATHS = (
    "/.well-known",
    "/health",
    "/healthz",
    "/livez",
    "/readyz",
    "/ping",
    "/robots.txt",
)
_SPECIAL_NAMES = re.compile(r"(health|jwks|well_known|liveness|readiness|ping)", re.I)
_PAGE_RESPONSES = frozenset({"HTMLResponse", "FileResponse", "TemplateResponse"})
_CATCH_ALL = re.compile(r"/\{\w+:path\}")
"""``/{path:path}``: a route that answers every path below the router's mount point."""
_UNKNOWN = object()


@dataclass
class RouterInfo:
    """What a router module declares about itself."""

    module: str
    prefix: str | None = None
    tags: bool = False
    paths: list[str] = field(default_factory=list)
    includes: bool = False
    """The module mounts other routers on it (``router.include_router(...)``): it groups them."""
    hidden: bool = False
    """Left out of the OpenAPI docs: ``APIRouter(include_in_schema=False)``, or every route."""
    pages: int = 0
    """Routes (among ``paths``) that serve a page: ``response_class=HTMLResponse`` or
    ``FileResponse``, or a function returning a template, an ``HTMLResponse`` or a file."""


@dataclass
class Registration:
    """One router mounted on an app (a call, or one row of a table fed to a call in a loop)."""

    receiver: str
    node: cst.CSTNode
    """Where to report: the call, or the table row."""
    label: str
    prefix: object
    """The literal prefix string, None when absent, _UNKNOWN when computed."""
    tags: object
    """True when given, False when absent, _UNKNOWN when computed."""
    router: RouterRef | None
    """The router's module, when it is a project module with a readable text."""
    row_tags_index: int | None = None
    """For table rows: the index of the tags element."""
    where: tuple[int, ...] = ()
    """ids of the statements a fix edits: the call's, and the one holding the table."""
    hidden: bool = False
    """``include_router(..., include_in_schema=False)``: its routes are in no docs group."""
    scope: int = 0
    """id of the function whose own variable the receiver is (0: a module-level name): apps of
    the same name built in different functions are different apps."""
    no_openapi: bool = False
    """The app is built with ``openapi_url=None``: there is no OpenAPI document for tags to
    group routes in."""

    @property
    def has_prefix(self) -> bool:
        return self.prefix is not None or bool(self.router and self.router.prefix)

    @property
    def has_tags(self) -> bool:
        return self.tags is not False or bool(self.router and self.router.tags)

    @property
    def literal_prefix(self) -> str | None:
        if isinstance(self.prefix, str):
            return self.prefix
        return self.router.prefix if self.router else None

    @property
    def router_info(self) -> RouterInfo | None:
        return self.router.info() if self.router else None

    @property
    def is_hidden(self) -> bool:
        """Left out of the OpenAPI docs, by the call or by the router."""
        return self.hidden or bool(self.router and self.router.hidden)


def tag_for(prefix: str) -> str | None:
    """The tag a prefix suggests: its last segment that is not a version or a path parameter."""
    for segment in reversed([s for s in prefix.split("/") if s]):
        if segment.startswith("{") or re.fullmatch(r"v\d+(\.\d+)?", segment):
            continue
        return segment
    return None


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _spells_own_paths(router: RouterInfo | None, others: list[Registration]) -> bool:
    """Whether a router mounted without a prefix spells its routes' paths in full: every path
    starts with what the other routers' prefixes share (often nothing: ``/dags``, ``/pools``) and
    then a literal segment (``/assets``, ``/assets/{id}``). Such routes already sit beside the
    others' (Airflow's API mounts routers both ways); relative ones (``/``, ``/{id}``) or ones
    outside a shared stem (``/orders`` among ``/api/...``) still get the finding."""
    if router is None or not router.paths:
        return False
    prefixes = [o.literal_prefix for o in others if o.has_prefix]
    stems = [_segments(p) for p in prefixes if p and p != "<computed>"]
    if not stems or len(stems) < len(prefixes):
        return False
    common: list[str] = []  # the leading segments every prefix shares
    for segment in zip(*stems, strict=False):  # up to the shortest prefix
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    for path in router.paths:
        parts = _segments(path)
        if parts[: len(common)] != common or len(parts) <= len(common):
            return False
        if parts[len(common)].startswith("{"):
            return False
    return True


def _found(reg: Registration) -> bool:
    """Whether the router's definition was read: only then is "it has no prefix" a fact (a
    router from a module outside the project, or one the module does not define plainly, may
    declare its own ``APIRouter(prefix=...)``)."""
    return reg.router is not None and reg.router.info() is not None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _returns_page(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a route function returns a rendered template, an HTML page or a file
    (``templates.TemplateResponse(...)``, ``HTMLResponse(...)``, ``FileResponse(...)``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.attr if isinstance(func, ast.Attribute) else _walk.dotted(func)
            if name is not None and name in _PAGE_RESPONSES:
                return True
    return False


@functools.lru_cache(maxsize=1024)
def _router_facts(text: str, module: str, attr: str) -> RouterInfo | None:
    """What router ``attr`` in ``module`` (whose source is ``text``) declares, or None.

    Every entry point that mounts a router reads its module again, in each pass, and a service
    mounts dozens: parsing each router module once per text saves as much as indexing the
    project did. Callers get a copy (RouterInfo is mutable).
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    router = RouterInfo(module)
    found = False
    hidden_routes = 0
    tagged_routes = 0
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == attr for t in stmt.targets)
            and isinstance(stmt.value, ast.Call)
        ):
            found = True
            for kw in stmt.value.keywords:
                if kw.arg == "include_in_schema" and _is_false(kw.value):
                    router.hidden = True
                if kw.arg == "prefix" and isinstance(kw.value, ast.Constant):
                    router.prefix = kw.value.value if kw.value.value else None
                elif kw.arg == "prefix":
                    router.prefix = "<computed>"
                elif kw.arg == "tags" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is None
                ):
                    router.tags = True
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr == "include_router"
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id == attr
        ):
            router.includes = True
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            renders = _returns_page(stmt)
            for dec in stmt.decorator_list:
                if (
                    isinstance(dec, ast.Call)
                    and isinstance(dec.func, ast.Attribute)
                    and isinstance(dec.func.value, ast.Name)
                    and dec.func.value.id == attr
                    and dec.args
                    and isinstance(dec.args[0], ast.Constant)
                    and isinstance(dec.args[0].value, str)
                ):
                    router.paths.append(dec.args[0].value)
                    if any(
                        kw.arg == "include_in_schema" and _is_false(kw.value) for kw in dec.keywords
                    ):
                        hidden_routes += 1
                    if any(
                        kw.arg == "tags"
                        and not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
                        for kw in dec.keywords
                    ):
                        tagged_routes += 1
                    if renders or any(
                        kw.arg == "response_class"
                        and (_walk.dotted(kw.value) or "").rsplit(".", 1)[-1] in _PAGE_RESPONSES
                        for kw in dec.keywords
                    ):
                        router.pages += 1
    if router.paths and hidden_routes == len(router.paths):
        router.hidden = True
    if router.paths and tagged_routes == len(router.paths):
        router.tags = True  # every route names its docs group itself
    return router if found else None


class RouterRef:
    """A router a registration mounts, read from its module's text only as far as a judgment needs.

    Judging a registration mostly asks whether the router declares a prefix or tags: a module
    whose text never spells ``prefix`` (or ``tags``) declares none, which spares parsing it (an
    entry point mounts dozens of routers). Identifiers are NFKC-normalised by ``ast``, so the
    shortcut holds for ASCII texts only.
    """

    def __init__(self, module: str, attr: str, text: str) -> None:
        self.module = module
        self.attr = attr
        self.text = text
        self._info: RouterInfo | None = None
        self._read = False

    def info(self) -> RouterInfo | None:
        """What the module declares about the router; None when it does not define it."""
        if not self._read:
            facts = _router_facts(self.text, self.module, self.attr)
            self._info = None if facts is None else replace(facts, paths=list(facts.paths))
            self._read = True
        return self._info

    def _spells(self, word: str) -> bool:
        return not self.text.isascii() or word in self.text

    @functools.cached_property
    def prefix(self) -> str | None:
        info = self.info() if self._spells("prefix") else None
        return info.prefix if info else None

    @functools.cached_property
    def tags(self) -> bool:
        info = self.info() if self._spells("tags") else None
        return bool(info and info.tags)

    @functools.cached_property
    def hidden(self) -> bool:
        info = self.info() if self._spells("include_in_schema") else None
        return bool(info and info.hidden)


class RouterRegistration(_walk.Pruning, FileCodemod):
    """Register routers with the prefix and tags convention the app's other routers follow."""

    id = "router-registration"
    title = "Register every router with the app's prefix and tags convention"
    section = "5.2 Route Registration"
    fixable = Fix.UNSAFE
    triggers = ("include_router",)
    priority = 60
    options: ClassVar = {
        "exempt": Option(
            "list[str]",
            [],
            "Routers that are root-level by design (glob on module, expression or prefix); skipped.",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.add_tags: dict[int, str] = {}
        self.row_tags: dict[int, tuple[int, str]] = {}
        self.fixed_statements: set[int] = set()
        self.routers: dict[str, RouterRef | None] = {}
        self.receivers: set[str] = set()
        """What ``include_router`` is called on in this file (apps, and routers that group others)."""

    # -- analysis ---------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        info = self.ctx.project.index.module_at(self.ctx.path)
        module = info.name if info else (self.ctx.module_name or "")
        self.module = module
        try:
            # The engine's shared parse of the current text (== node.code) saves a codegen.
            source = self.ctx.source
            tree = source.tree() if source is not None else ast.parse(node.code)
        except SyntaxError:
            return False
        self.bindings = import_bindings(tree, module, bool(info and info.is_package))
        self.tables, self.table_statements = _tables(node)
        registrations: list[Registration] = []
        text = source.text if source is not None else None
        counts: dict[int, int] = {}
        calls = (
            _walk.route(
                node,
                tree,
                _is_include_router,
                needles=("include_router",),
                text=text,
                counts=counts,
            )
            if _walk.ENABLED
            else None
        )
        _Collector(self, registrations).collect(node, calls, counts)
        groups: dict[tuple[str, int], list[Registration]] = {}
        for reg in registrations:
            groups.setdefault((reg.receiver, reg.scope), []).append(reg)
        self.receivers = {receiver for receiver, _ in groups}
        for regs in groups.values():
            for reg in regs:
                self._judge(reg, [r for r in regs if r is not reg])
        # Nothing planned (check mode, or a consistent app): skip the transforming traversal.
        if not (self.add_tags or self.row_tags):
            return False
        if _walk.ENABLED:
            self.prune(_walk.route_to(node, whole=self.fixed_statements))
        return True

    def router_info(self, expr: cst.BaseExpression) -> RouterRef | None:
        """What the router's own module says about it, when the expression resolves to one."""
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        # Not imported: a router defined in this very module.
        qualified = self.bindings.get(head) or (f"{self.module}.{head}" if self.module else None)
        if qualified is None:
            return None
        full = f"{qualified}.{rest}" if rest else qualified
        module, _, attr = full.rpartition(".")
        if not module:
            return None
        key = f"{module}:{attr}"
        if key not in self.routers:
            self.routers[key] = self._read_router(module, attr)
        return self.routers[key]

    def router_in_module(self, module: str) -> RouterRef | None:
        key = f"{module}:router"
        if key not in self.routers:
            self.routers[key] = self._read_router(module, "router")
        return self.routers[key]

    def _read_router(self, module: str, attr: str) -> RouterRef | None:
        info = self.ctx.project.index.get(module)
        if info is None:
            return None
        text = source_of(self.ctx.project, info.path)
        if text is None:
            return None
        return RouterRef(module, attr, text)

    def _exempt(self, reg: Registration) -> bool:
        patterns = self.ctx.options.get("exempt", [])
        if not patterns:
            return False
        names = [reg.label]
        router = reg.router_info
        if router is not None:
            names += [router.module, router.module.rsplit(".", 1)[-1]]
        if isinstance(reg.prefix, str):
            names.append(reg.prefix)
        return any(fnmatch.fnmatch(n, p) for n in names for p in patterns)

    def _special(self, reg: Registration) -> str | None:
        """Why a router without a prefix looks root-level by design, or None."""
        router = reg.router_info
        if router is not None and router.paths:
            if all(p.startswith(_SPECIAL_PATHS) for p in router.paths):
                return f"its paths ({', '.join(router.paths[:3])}) are conventionally served at the root"
            catch_all = next((p for p in router.paths if _CATCH_ALL.fullmatch(p)), None)
            if catch_all is not None:
                return (
                    f"its catch-all route {catch_all} serves the site (static files or a "
                    "single-page app), which lives at the root"
                )
            if router.pages * 2 > len(router.paths):
                return "most of its routes serve pages (templates, HTML or files), which live at the root"
            return None
        module = router.module if router else reg.label
        if _SPECIAL_NAMES.search(module):
            return f"{module} looks like a root-level endpoint"
        return None

    def _judge(self, reg: Registration, others: list[Registration]) -> None:
        if len(others) < 2 or self._exempt(reg):
            return
        known_prefix = [o for o in others if o.prefix is not _UNKNOWN]
        # Routers left out of the docs (include_in_schema=False) belong to no docs group.
        known_tags = [o for o in others if o.tags is not _UNKNOWN and not o.is_hidden]
        with_prefix = sum(o.has_prefix for o in known_prefix)
        with_tags = sum(o.has_tags for o in known_tags)
        lacks_prefix = (
            reg.prefix is not _UNKNOWN
            and not reg.has_prefix
            and len(known_prefix) >= 2
            and with_prefix * 2 > len(known_prefix)
            and _found(reg)
        )
        lacks_tags = (
            not reg.no_openapi
            and reg.tags is not _UNKNOWN
            and not reg.has_tags
            and len(known_tags) >= 2
            and with_tags * 2 > len(known_tags)
        )
        if not (lacks_prefix or lacks_tags):
            return
        router = reg.router_info
        if reg.label in self.receivers or (router is not None and router.includes):
            return  # it groups routers that carry their own prefixes and tags
        if lacks_tags and reg.is_hidden:
            lacks_tags = False  # left out of the docs: tags would group nothing
            if not lacks_prefix:
                return
        if lacks_prefix and self._special(reg) is None and _spells_own_paths(router, known_prefix):
            lacks_prefix = False  # (a root-level endpoint keeps its lower-key message)
            if not lacks_tags:
                return
        parts = []
        if lacks_prefix:
            special = self._special(reg)
            if special:
                parts.append(
                    f"has no prefix, unlike {with_prefix} of the {len(known_prefix)} other routers on "
                    f"{reg.receiver}; probably deliberate: {special} (list it in the option exempt to "
                    "skip it)"
                )
            else:
                parts.append(
                    f"has no prefix, unlike {with_prefix} of the {len(known_prefix)} other routers on "
                    f"{reg.receiver}: its routes mount at the root, where clients do not look for them"
                )
        tag = None
        if lacks_tags:
            prefix = reg.literal_prefix
            tag = tag_for(prefix) if prefix and prefix != "<computed>" else None
            if isinstance(reg.node, cst.Tuple) and reg.row_tags_index is None:
                tag = None  # the row has no tags element to fill in
            parts.append(
                f"has no tags, unlike {with_tags} of the {len(known_tags)} other routers on "
                f"{reg.receiver}, so its routes fall into the docs' 'default' group"
                + (f'; add tags=["{tag}"]' if tag else "")
            )
        message = f"router {reg.label} " + "; it ".join(parts)
        if tag is None:
            self.report(reg.node, message)
            return
        if self.report(reg.node, message, fix=Fix.UNSAFE):
            self.fixed_statements.update(reg.where)
            if reg.row_tags_index is not None:
                self.row_tags[id(reg.node)] = (reg.row_tags_index, tag)
            else:
                self.add_tags[id(reg.node)] = tag

    # -- transformation -----------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        tag = self.add_tags.get(id(original_node))
        if tag is None:
            return updated_node
        args = list(updated_node.args)
        for i, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == "tags":  # tags=None
                args[i] = arg.with_changes(value=_tags_list(tag))
                return updated_node.with_changes(args=args)
        new = cst.Arg(
            keyword=cst.Name("tags"),
            value=_tags_list(tag),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            # Trailing comma (one argument per line): the new argument takes over the layout.
            between = (
                args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) else None
            )
            args[-1] = last.with_changes(
                comma=between or cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            args.append(new.with_changes(comma=last.comma))
        else:
            args[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            args.append(new)
        return updated_node.with_changes(args=args)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.BaseExpression:
        change = self.row_tags.get(id(original_node))
        if change is None:
            return updated_node
        index, tag = change
        elements = list(updated_node.elements)
        elements[index] = elements[index].with_changes(value=_tags_list(tag))
        return updated_node.with_changes(elements=elements)


def _tags_list(tag: str) -> cst.List:
    return cst.List([cst.Element(cst.SimpleString(f'"{tag}"'))])


def _rows(value: cst.BaseExpression) -> list[cst.Tuple] | None:
    """The rows of a literal list/tuple of tuples, or None when it is something else."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return None
    rows = [e.value for e in value.elements]
    if not rows or not all(isinstance(r, cst.Tuple) for r in rows):
        return None
    return rows  # type: ignore[return-value]


def _tables(module: cst.Module) -> tuple[dict[str, list[cst.Tuple]], dict[str, int]]:
    """Module-level ``NAME = [(...), ...]`` tables (annotated or not), and the id of the statement
    that defines each."""
    tables: dict[str, list[cst.Tuple]] = {}
    statements: dict[str, int] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target, value = small.target, small.value
            else:
                continue
            rows = _rows(value)
            if isinstance(target, cst.Name) and rows is not None:
                tables[target.value] = rows
                statements[target.value] = id(stmt)
    return tables, statements


@dataclass
class _ScopeFacts:
    """The names a function (or the module) binds itself, as far as this rule needs them."""

    bound: set[str] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)
    values: dict[str, list[cst.BaseExpression | None]] = field(default_factory=dict)
    """Per name, the value of each binding: ``name = value``, None for any other kind."""

    def bind(self, name: str, value: cst.BaseExpression | None = None) -> None:
        self.bound.add(name)
        self.values.setdefault(name, []).append(value)


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _scope_facts(scope: cst.Module | cst.FunctionDef | cst.Lambda) -> _ScopeFacts:
    """What ``scope`` binds: parameters, assignment, loop, ``with`` and ``except`` targets,
    imports, nested definitions; less the names it declares ``global``/``nonlocal``. Assignment
    expressions (``:=``) are not looked at."""
    facts = _ScopeFacts()
    if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
        params = scope.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            facts.bind(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                facts.bind(star.name.value)
        if isinstance(scope, cst.Lambda):
            return facts
    declared: set[str] = set()
    stack: list[cst.CSTNode]
    if isinstance(scope, cst.Module):
        stack = list(reversed(scope.body))
    elif isinstance(scope.body, cst.IndentedBlock):
        stack = list(reversed(scope.body.body))
    else:
        stack = [scope.body]  # def f(): ...
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            facts.bind(node.name.value)
            continue
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        names = _target_names(target.target)
                        single = len(small.targets) == 1 and isinstance(target.target, cst.Name)
                        for name in names:
                            facts.bind(name, small.value if single else None)
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    for name in _target_names(small.target):
                        value = small.value if isinstance(small, cst.AnnAssign) else None
                        facts.bind(name, value)
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for alias in small.names:
                        if alias.asname is not None:
                            names = _target_names(alias.asname.name)  # type: ignore[arg-type]
                        else:
                            names = [(code_of(alias.name)).split(".")[0]]
                        for name in names:
                            facts.bind(name)
                            facts.imported.add(name)
                elif isinstance(small, (cst.Global, cst.Nonlocal)):
                    declared.update(n.name.value for n in small.names)
            continue
        if isinstance(node, (cst.For, cst.With)):
            targets = (
                [node.target]
                if isinstance(node, cst.For)
                else [i.asname.name for i in node.items if i.asname is not None]
            )
            for target in targets:
                for name in _target_names(target):  # type: ignore[arg-type]
                    facts.bind(name)
        if isinstance(node, (cst.Try, cst.TryStar)):
            for handler in node.handlers:
                if handler.name is not None:
                    for name in _target_names(handler.name.name):  # type: ignore[arg-type]
                        facts.bind(name)
        stack.extend(reversed(list(_walk.child_statements(node))))
    for name in declared:
        facts.bound.discard(name)
        facts.imported.discard(name)
        facts.values.pop(name, None)
    return facts


def _without_openapi(value: cst.BaseExpression | None) -> bool:
    """``FastAPI(..., openapi_url=None)``: the app serves no OpenAPI document."""
    return isinstance(value, cst.Call) and any(
        a.keyword is not None and a.keyword.value == "openapi_url" and _is_none(a.value)
        for a in value.args
    )


def _is_include_router(node: ast.AST) -> bool:
    """``x.include_router(...)``: the only calls the collector acts on."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "include_router"
    )


class _Collector:
    """Finds include_router calls, expanding loops over literal tables into one registration per row."""

    def __init__(self, rule: RouterRegistration, out: list[Registration]) -> None:
        self.rule = rule
        self.out = out
        self.facts: dict[int, _ScopeFacts] = {}

    def _facts(self, scope: cst.Module | cst.FunctionDef | cst.Lambda) -> _ScopeFacts:
        if id(scope) not in self.facts:
            self.facts[id(scope)] = _scope_facts(scope)
        return self.facts[id(scope)]

    def _scope_of(self, name: str, functions: list[cst.FunctionDef | cst.Lambda]) -> int:
        """id of the innermost function around the call that binds ``name`` (0: none does)."""
        for function in reversed(functions):
            if name in self._facts(function).bound:
                return id(function)
        return 0

    def collect(
        self, module: cst.Module, route: _walk.Route | None, counts: dict[int, int]
    ) -> None:
        """``route``: the statements that can hold an ``include_router`` call (None: all);
        ``counts``: how many such calls a routed line holds."""
        collector = self
        self.module = module
        pruner = _walk.Pruner(route) if route is not None else None

        class _Visitor(cst.CSTVisitor):
            def __init__(self) -> None:
                self.loops: list[cst.For] = []
                self.statements: list[cst.CSTNode] = []
                self.functions: list[cst.FunctionDef | cst.Lambda] = []

            def on_visit(self, node: cst.CSTNode) -> bool:
                descend = super().on_visit(node)
                if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                    self.functions.append(node)
                if isinstance(node, _walk.STATEMENT_LIKE):
                    self.statements.append(node)
                    if self._direct(node):
                        pruner.enter(node)  # type: ignore[union-attr]
                        return False
                return descend if pruner is None else pruner.enter(node) and descend

            def _direct(self, node: cst.CSTNode) -> bool:
                """Collect the calls of a line made of ``x.include_router(...)`` statements
                without traversing it, when they are all the line's calls to it."""
                if not isinstance(node, cst.SimpleStatementLine) or id(node) not in counts:
                    return False
                direct = [
                    small.value
                    for small in node.body
                    if isinstance(small, cst.Expr)
                    and isinstance(small.value, cst.Call)
                    and isinstance(small.value.func, cst.Attribute)
                    and small.value.func.attr.value == "include_router"
                ]
                if len(direct) != counts[id(node)]:
                    return False
                for call in direct:
                    collector.call(call, self.loops, id(node), self.functions)
                return True

            def on_leave(self, original_node: cst.CSTNode) -> None:
                if isinstance(original_node, (cst.FunctionDef, cst.Lambda)):
                    self.functions.pop()
                if isinstance(original_node, _walk.STATEMENT_LIKE):
                    self.statements.pop()
                if pruner is not None:
                    pruner.leave(original_node)
                super().on_leave(original_node)

            def visit_For(self, node: cst.For) -> None:
                self.loops.append(node)

            def leave_For(self, original_node: cst.For) -> None:
                self.loops.pop()

            def visit_Call(self, node: cst.Call) -> None:
                collector.call(node, self.loops, id(self.statements[-1]), self.functions)

        module.visit(_Visitor())

    def call(
        self,
        node: cst.Call,
        loops: list[cst.For],
        statement: int,
        functions: list[cst.FunctionDef | cst.Lambda],
    ) -> None:
        """``statement``: the id of the innermost statement holding the call; ``functions``:
        the functions (and lambdas) around it, outermost first."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "include_router"):
            return
        receiver = dotted_name(func.value)
        if receiver is None or any(a.star for a in node.args):
            return
        head = receiver.partition(".")[0]
        scope = self._scope_of(head, functions)
        owner = next((f for f in functions if id(f) == scope), self.module)
        values = self._facts(owner).values.get(head, [])
        no_openapi = head == receiver and len(values) == 1 and _without_openapi(values[0])
        positional = [a for a in node.args if a.keyword is None]
        kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        router_expr = positional[0].value if positional else kwargs.get("router")
        if router_expr is None:
            return
        prefix_expr, tags_expr = kwargs.get("prefix"), kwargs.get("tags")
        hidden_expr = kwargs.get("include_in_schema")
        loop_vars = self._loop_vars(loops)
        names = {
            e.value
            for e in (prefix_expr, tags_expr)
            if isinstance(e, cst.Name) and e.value in loop_vars
        }
        if names:
            rows_loop = loop_vars[next(iter(names))]
            rows, positions, source = rows_loop
            if rows is not None:
                for row in rows:
                    self._row(node, receiver, row, positions, prefix_expr, tags_expr)
                    self.out[-1].where = (statement, source)
                    self.out[-1].scope = scope
                    self.out[-1].no_openapi = no_openapi
                return
        router = self.rule.router_info(router_expr)
        prefix, tags = self._prefix(prefix_expr), self._tags(tags_expr)
        router_head = (dotted_name(router_expr) or "").partition(".")[0]
        router_scope = self._scope_of(router_head, functions) if router_head else 0
        if router_scope and router_head not in self.facts[router_scope].imported:
            # A parameter or local variable (``plugin.router``): what it declares is not known.
            router = None
            prefix = _UNKNOWN if prefix is None else prefix
            tags = _UNKNOWN if tags is False else tags
        self.out.append(
            Registration(
                receiver,
                node,
                code_of(router_expr),
                prefix,
                tags,
                router,
                where=(statement,),
                hidden=isinstance(hidden_expr, cst.Name) and hidden_expr.value == "False",
                scope=scope,
                no_openapi=no_openapi,
            )
        )

    def _prefix(self, expr: cst.BaseExpression | None) -> object:
        if expr is None or _is_none(expr):
            return None
        value = _string(expr)
        if value == "":
            return None
        return value if value is not None else _UNKNOWN

    def _tags(self, expr: cst.BaseExpression | None) -> object:
        if expr is None or _is_none(expr):
            return False
        if isinstance(expr, (cst.List, cst.Tuple)):
            return bool(expr.elements)
        return _UNKNOWN

    def _loop_vars(
        self, loops: list[cst.For]
    ) -> dict[str, tuple[list[cst.Tuple] | None, dict[str, int], int]]:
        """Loop variable -> (the table's rows or None, variable -> position in a row, id of the
        statement holding the rows: the table's, or the loop's for a literal)."""
        found: dict[str, tuple[list[cst.Tuple] | None, dict[str, int], int]] = {}
        for loop in loops:
            target = loop.target
            if not isinstance(target, cst.Tuple):
                continue
            positions = {
                e.value.value: i
                for i, e in enumerate(target.elements)
                if isinstance(e.value, cst.Name)
            }
            it = loop.iter
            if isinstance(it, cst.Name):
                rows = self.rule.tables.get(it.value)
                source = self.rule.table_statements.get(it.value, id(loop))
            else:
                rows, source = _rows(it), id(loop)
            if rows is not None and any(len(r.elements) != len(target.elements) for r in rows):
                rows = None
            for name in positions:
                found[name] = (rows, positions, source)
        return found

    def _row(
        self,
        call: cst.Call,
        receiver: str,
        row: cst.Tuple,
        positions: dict[str, int],
        prefix_expr: cst.BaseExpression | None,
        tags_expr: cst.BaseExpression | None,
    ) -> None:
        values = [e.value for e in row.elements]

        def pick(expr: cst.BaseExpression | None) -> tuple[cst.BaseExpression | None, int | None]:
            if isinstance(expr, cst.Name) and expr.value in positions:
                i = positions[expr.value]
                return values[i], i
            return expr, None

        prefix_value, _ = pick(prefix_expr)
        tags_value, tags_index = pick(tags_expr)
        strings = [s for s in (_string(v) for v in values) if s]
        module = next((s for s in strings if self.rule.ctx.project.index.get(s)), None)
        router = self.rule.router_in_module(module) if module else None
        label = module or (strings[0] if strings else code_of(row))
        tags = self._tags(tags_value)
        self.out.append(
            Registration(
                receiver,
                row,
                label,
                self._prefix(prefix_value),
                tags,
                router,
                row_tags_index=tags_index
                if tags_value is not None and _is_none(tags_value)
                else None,
            )
        )
