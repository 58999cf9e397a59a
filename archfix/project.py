"""The read-only view of a project that rules get: its files and an index built with the stdlib ``ast``.

The index answers the questions multi-file rules ask — which module is at which path, which names a
module defines or re-exports, what it imports at module level — once per run, at ``ast`` speed
(libcst is reserved for the files a rule actually rewrites).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pathspec

from archfix.config import Config
from archfix.nfkc import identifiers_stable


@dataclass(frozen=True)
class ImportRecord:
    """One imported name (or module) as written in a module, resolved to absolute module names."""

    module: str
    """Absolute module the import reads from (``from M import n`` -> M; ``import a.b`` -> a.b)."""
    name: str | None
    """The imported name for ``from`` imports; None for ``import M``."""
    asname: str | None
    line: int
    col: int
    level: int
    """Relative import level (0 for absolute)."""
    module_level: bool
    """False inside functions (those imports run late and cannot close a start-up cycle)."""
    type_checking: bool
    """True under ``if TYPE_CHECKING:`` (never executed at run time)."""
    in_try: bool
    """True inside a try block that handles ImportError (optional dependency)."""


@dataclass
class ModuleInfo:
    """What one module defines, re-exports and imports."""

    name: str
    path: Path
    is_package: bool
    defines: set[str] = field(default_factory=set)
    """Names bound at module level by def, class, assignment, for, with, or walrus."""
    reexports: set[str] = field(default_factory=set)
    """Names bound at module level by an import (so ``from this import name`` works)."""
    dunder_all: tuple[str, ...] | None = None
    dynamic: bool = False
    """True when the module may provide any name: a module ``__getattr__`` (defined, assigned or
    imported), a star import, definitions that depend on an ImportError fallback, or an alias in
    ``sys.modules`` (see ``aliased``). Rules must not guess about such modules."""
    imports: list[ImportRecord] = field(default_factory=list)
    attrs_assigned: set[str] = field(default_factory=set)
    """Attribute names this module assigns on other objects (``mod.name = ...``,
    ``setattr(mod, "name", ...)``): such names may exist on a module without it defining them."""
    aliased: bool = False
    """True when this module's entry in ``sys.modules`` is written at run time (``sys.modules[
    __name__] = other``, or a project helper called with ``__name__`` that writes ``sys.modules``):
    importers may get another module, with other names and other submodules."""
    name_calls: set[str] = field(default_factory=set)
    """Dotted callees of module-level calls given ``__name__`` (``_alias_legacy_root(__name__)``);
    :meth:`ModuleIndex.settle_names` marks the module aliased when one writes ``sys.modules``."""
    modules_writers: set[str] = field(default_factory=set)
    """Top-level functions of this module that write ``sys.modules``."""

    def provides(self, name: str) -> bool:
        """True when ``from <this module> import name`` can succeed (or might, if dynamic)."""
        return (
            self.dynamic
            or name in self.defines
            or name in self.reexports
            or name in MODULE_ATTRIBUTES
        )


def module_name_for(
    path: Path, root: Path, packages: dict[Path, bool] | None = None
) -> tuple[str, bool]:
    """The dotted module name of ``path`` and whether it is a package ``__init__``.

    Walks up through folders that have an ``__init__.py``; the first folder without one is the
    import root, unless it lies inside a package (a folder up to the root has an ``__init__.py``):
    then it is a namespace subpackage (``litellm/llms/openai/`` in the ``litellm`` package), not a
    folder on ``sys.path``, and taking it for one named its modules like third-party packages
    (``openai``). Namespace packages from the root are handled by :meth:`ModuleIndex.build`, which
    also registers the name relative to the project root. ``packages`` memoises "has an
    ``__init__.py``" per folder for one run (a tree of thousands of files shares a handful of
    folders).
    """
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    folder = path.parent

    def has_init(folder: Path) -> bool:
        if packages is None:
            return (folder / "__init__.py").is_file()
        known = packages.get(folder)
        if known is None:
            known = packages[folder] = (folder / "__init__.py").is_file()
        return known

    def inside_package(folder: Path) -> bool:
        for above in folder.parents:
            if has_init(above):
                return True
            if above == root or above == above.parent:
                return False
        return False

    while folder != folder.parent and (
        has_init(folder) or (folder != root and inside_package(folder))
    ):
        parts.append(folder.name)
        if folder == root:
            break
        folder = folder.parent
    if not is_package and folder == path.parent and _below_root(folder, root):
        # A module in a folder without ``__init__.py`` below the project root (``src/models/
        # user.py`` beside ``src/routers/user.py``): its path from the root names it, as the
        # project imports it (``from src.models.user import User``); the bare ``user`` stays an
        # alias (ModuleIndex.add_info) for code run from inside the folder.
        parts = [path.stem, *reversed(folder.relative_to(root).parts)]
    return ".".join(reversed(parts)), is_package


def _below_root(folder: Path, root: Path) -> bool:
    """A folder strictly inside ``root`` other than ``root/src`` (the src layout's import root)."""
    return folder != root and folder != root / "src" and folder.is_relative_to(root)


def resolve_relative(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute module named by a (possibly relative) ``from`` import in ``importer``."""
    if level == 0:
        return module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
    prefix = ".".join(base)
    if module:
        return f"{prefix}.{module}" if prefix else module
    return prefix


MODULE_ATTRIBUTES = frozenset(
    {
        "__doc__",
        "__name__",
        "__file__",
        "__spec__",
        "__loader__",
        "__package__",
        "__path__",
        "__dict__",
        "__builtins__",
        "__cached__",
        "__annotations__",
    }
)
"""Names every module has, whether or not its source defines them."""

_DYNAMIC_CALLS = {"globals", "vars", "exec", "setattr", "__import__"}
"""Module-level calls that can create module names the index cannot see."""

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _handles_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        name = t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", None)
        if name in _IMPORT_ERRORS:
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _target_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


_EXPRESSION_MARKERS = (":=", *sorted(_DYNAMIC_CALLS))
"""Texts without any of these have no walrus, setattr or dynamic call (see ``_statements_suffice``)."""


def _statements_suffice(text: str) -> bool:
    """True when no expression in ``text`` can matter to the scanner.

    Identifiers are NFKC-normalised (fullwidth letters spell ``setattr`` too): only texts whose
    identifiers NFKC leaves alone qualify.
    """
    return not any(marker in text for marker in _EXPRESSION_MARKERS) and identifiers_stable(text)


def _rebased(records: list[ImportRecord], old: str, new: str) -> list[ImportRecord]:
    """Relative imports of a module renamed from ``old`` to ``new``, resolved against ``new``
    (``from .sql import X`` in ``mw`` is ``mw.sql``; in ``core.mw``, ``core.mw.sql``)."""
    if new.endswith("." + old):
        extra = new[: -len(old)]
        return [replace(r, module=extra + r.module) if r.level else r for r in records]
    if old.endswith("." + new):
        dropped = old[: -len(new)]
        return [
            replace(r, module=r.module[len(dropped) :])
            if r.level and r.module.startswith(dropped)
            else r
            for r in records
        ]
    return records


def _is_sys_modules(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "modules"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _mentions_name(node: ast.AST) -> bool:
    """``__name__`` itself or an expression built from it (``__name__ + ".errors"``)."""
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in ast.walk(node))


def _replaces_own_module(target: ast.expr) -> bool:
    """``sys.modules[__name__] = other`` (an alias module), ``sys.modules[__name__].__class__ =
    cls`` (module properties) or ``sys.modules[f"{__name__}.sub"] = other`` (an alias
    submodule): importers get names and modules this module's text does not define."""
    if isinstance(target, ast.Attribute) and target.attr == "__class__":
        target = target.value
    return (
        isinstance(target, ast.Subscript)
        and _is_sys_modules(target.value)
        and _mentions_name(target.slice)
    )


def _writes_sys_modules(stmt: ast.stmt) -> bool:
    """``sys.modules[key] = ...`` (or ``del``), ``sys.modules.update(...)``, ``.setdefault``..."""
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = stmt.targets if isinstance(stmt, (ast.Assign, ast.Delete)) else [stmt.target]
        return any(isinstance(t, ast.Subscript) and _is_sys_modules(t.value) for t in targets)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("update", "setdefault", "__setitem__", "pop")
            and _is_sys_modules(func.value)
        )
    return False


def _name_call(value: ast.expr | None) -> str | None:
    """The dotted callee of ``helper(__name__)`` / ``mod.helper(name=__name__ + "x")``."""
    if not isinstance(value, ast.Call):
        return None
    given = [*value.args, *(k.value for k in value.keywords)]
    if not any(_mentions_name(arg) for arg in given):
        return None
    parts: list[str] = []
    func = value.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    return ".".join([func.id, *reversed(parts)])


def _assigned_attrs(targets: Iterable[ast.expr], into: set[str]) -> None:
    """``x.name = ...`` assigns ``name`` on another object (not through ``self``/``cls``)."""
    for target in targets:
        if isinstance(target, ast.Attribute) and not (
            isinstance(target.value, ast.Name) and target.value.id in ("self", "cls")
        ):
            into.add(target.attr)


class _ModuleScanner:
    """Collects a module's top-level bindings and all its imports from an ``ast`` tree."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self._walrus_relevant = True
        """False when the tree has no node :meth:`_walrus` acts on, so its walks can be skipped."""
        self._attrs_in_statements = False
        """True on the fast path: assignment statements fill attrs_assigned (no whole-tree walk)."""
        self._function: str | None = None
        """The top-level function whose body is being scanned (for ``modules_writers``)."""

    def scan(self, tree: ast.Module, text: str | None = None) -> None:
        """Fill the module's info from ``tree``; ``text`` (its source) allows the fast path.

        Expressions matter only for walrus targets, ``setattr(x, "name", ...)`` and the dynamic
        calls (``globals()`` ...). When the source cannot contain any of them (checked on the
        text), one walk over the statements finds everything; otherwise every node is walked.
        """
        if text is not None and _statements_suffice(text):
            self._walrus_relevant = False
            self._attrs_in_statements = True
            self._block(tree.body, module_level=True, type_checking=False, in_try=False)
            return
        # The whole-tree walk comes first (it only fills attrs_assigned) so that it can tell
        # whether the per-statement walrus/dynamic-call walks can find anything at all.
        assigned = self.info.attrs_assigned
        relevant = False
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC_CALLS:
                    relevant = True
                if (
                    isinstance(node.func, ast.Name)
                    and node.func.id == "setattr"
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)
                ):
                    assigned.add(node.args[1].value)
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                relevant = True
            _assigned_attrs(targets, assigned)
        self._walrus_relevant = relevant
        self._block(tree.body, module_level=True, type_checking=False, in_try=False)

    def _block(
        self, body: Iterable[ast.stmt], *, module_level: bool, type_checking: bool, in_try: bool
    ) -> None:
        for stmt in body:
            self._stmt(stmt, module_level, type_checking, in_try)

    def _bind(self, name: str, module_level: bool, in_try: bool) -> None:
        if module_level:
            self.info.defines.add(name)
            if in_try:
                # A definition that only exists because an import failed: the module's real
                # surface depends on the environment.
                self.info.dynamic = True
            self._getattr_bound(name)

    def _getattr_bound(self, name: str) -> None:
        """A module ``__getattr__`` makes names at run time however it is bound: ``def``, an
        assignment (``__getattr__ = make_getattr(...)``, lazy_loader's ``__getattr__, __dir__,
        __all__ = lazy.attach(...)``) or an import (``from ._lazy import __getattr__``)."""
        if name == "__getattr__":
            self.info.dynamic = True

    def _stmt(self, stmt: ast.stmt, module_level: bool, type_checking: bool, in_try: bool) -> None:
        info = self.info
        if self._function is not None and _writes_sys_modules(stmt):
            info.modules_writers.add(self._function)
        if module_level and isinstance(stmt, (ast.Expr, ast.Assign)):
            called = _name_call(stmt.value)
            if called is not None:
                info.name_calls.add(called)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._bind(stmt.name, module_level, in_try)
            if module_level and not isinstance(stmt, ast.ClassDef):
                self._function = stmt.name
            try:
                self._nested(stmt)
            finally:
                if module_level:
                    self._function = None
            return
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                if module_level:
                    info.reexports.add(bound)
                    self._getattr_bound(bound)
                info.imports.append(
                    ImportRecord(
                        alias.name,
                        None,
                        alias.asname,
                        stmt.lineno,
                        stmt.col_offset + 1,
                        0,
                        module_level,
                        type_checking,
                        in_try,
                    )
                )
            return
        if isinstance(stmt, ast.ImportFrom):
            target = resolve_relative(stmt.module, stmt.level, info.name, info.is_package)
            for alias in stmt.names:
                if alias.name == "*":
                    if module_level:
                        info.dynamic = True
                elif module_level:
                    info.reexports.add(alias.asname or alias.name)
                    self._getattr_bound(alias.asname or alias.name)
                info.imports.append(
                    ImportRecord(
                        target,
                        alias.name,
                        alias.asname,
                        stmt.lineno,
                        stmt.col_offset + 1,
                        stmt.level,
                        module_level,
                        type_checking,
                        in_try,
                    )
                )
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if self._attrs_in_statements:
                _assigned_attrs(targets, info.attrs_assigned)
            for t in targets:
                for name in _target_names(t):
                    self._bind(name, module_level, in_try)
                    if module_level and name == "__all__" and isinstance(stmt, ast.Assign):
                        self._dunder_all(stmt.value)
                if module_level and _replaces_own_module(t):
                    info.dynamic = info.aliased = True
            self._walrus(stmt, module_level)
            return
        if isinstance(stmt, ast.If):
            tc = type_checking or _is_type_checking(stmt.test)
            self._block(stmt.body, module_level=module_level, type_checking=tc, in_try=in_try)
            self._block(
                stmt.orelse, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            self._walrus(stmt.test, module_level)
            return
        if isinstance(stmt, ast.Try) or stmt.__class__.__name__ == "TryStar":
            handlers = getattr(stmt, "handlers", [])
            guarded = in_try or any(_handles_import_error(h) for h in handlers)
            self._block(
                stmt.body, module_level=module_level, type_checking=type_checking, in_try=guarded
            )
            for h in handlers:
                if h.name and module_level:
                    info.defines.add(h.name)
                self._block(
                    h.body, module_level=module_level, type_checking=type_checking, in_try=guarded
                )
            self._block(
                stmt.orelse, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            self._block(
                stmt.finalbody,
                module_level=module_level,
                type_checking=type_checking,
                in_try=in_try,
            )
            return
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            for name in _target_names(stmt.target):
                self._bind(name, module_level, in_try)
            self._block(
                stmt.body, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            self._block(
                stmt.orelse, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            return
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    for name in _target_names(item.optional_vars):
                        self._bind(name, module_level, in_try)
            self._block(
                stmt.body, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            return
        if isinstance(stmt, ast.While):
            self._block(
                stmt.body, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            self._block(
                stmt.orelse, module_level=module_level, type_checking=type_checking, in_try=in_try
            )
            return
        if stmt.__class__.__name__ == "Match":
            for case in stmt.cases:  # type: ignore[attr-defined]
                self._block(
                    case.body, module_level=module_level, type_checking=type_checking, in_try=in_try
                )
            return
        if stmt.__class__.__name__ == "TypeAlias":
            self._bind(stmt.name.id, module_level, in_try)  # type: ignore[attr-defined]
            return
        if isinstance(stmt, ast.Global) and not module_level:
            # ``global x`` then ``x = ...`` in a function defines x in the module.
            for name in stmt.names:
                info.defines.add(name)
                self._getattr_bound(name)
            return
        self._walrus(stmt, module_level)

    def _walrus(self, node: ast.AST, module_level: bool = True) -> None:
        if not self._walrus_relevant:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                self.info.defines.add(sub.target.id)
            elif (
                module_level
                and isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Name)
                and sub.func.id in _DYNAMIC_CALLS
            ):
                # globals().update(...), exec(...), vars()[...] = ...: names made at run time.
                self.info.dynamic = True

    def _nested(self, node: ast.AST) -> None:
        """Imports inside functions and classes still form graph edges (late ones) and may
        declare module globals."""
        body = getattr(node, "body", [])
        for stmt in body:
            self._stmt(stmt, module_level=False, type_checking=False, in_try=False)

    def _dunder_all(self, value: ast.expr) -> None:
        if isinstance(value, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            self.info.dunder_all = tuple(e.value for e in value.elts)  # type: ignore[attr-defined]


@dataclass
class ModuleIndex:
    """Module name <-> path, and what each module defines and imports."""

    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    by_path: dict[Path, str] = field(default_factory=dict)
    packages: dict[Path, bool] = field(default_factory=dict, repr=False, compare=False)
    """Memo of "this folder has an ``__init__.py``" while the index is built (see module_name_for)."""
    bare: dict[str, ModuleInfo | None] = field(default_factory=dict, repr=False, compare=False)
    """Bare name -> the one module of a folder without ``__init__.py`` with that file name, or
    None when several have it (``utils``): the alias then names none of them."""

    @classmethod
    def build(cls, root: Path, trees: Mapping[Path, ast.Module]) -> ModuleIndex:
        index = cls()
        for path, tree in trees.items():
            index.add(root, path, tree)
        return index

    def add(
        self,
        root: Path,
        path: Path,
        tree: ast.Module,
        text: str | None = None,
        name: tuple[str, bool] | None = None,
    ) -> None:
        """Index ``path``; pass its ``text`` too when at hand (it lets the scan skip expressions),
        and its ``module_name_for`` result when already known."""
        self.add_info(
            root, self.scan(path, tree, text, name or module_name_for(path, root, self.packages))
        )

    @staticmethod
    def scan(path: Path, tree: ast.Module, text: str | None, name: tuple[str, bool]) -> ModuleInfo:
        """The index entry of one module (no index needed: pool workers build entries)."""
        info = ModuleInfo(name=name[0], path=path, is_package=name[1])
        _ModuleScanner(info).scan(tree, text)
        return info

    def add_info(self, root: Path, info: ModuleInfo) -> None:
        """Register an already scanned module (the cache restores these without parsing)."""
        name, path = info.name, info.path
        self.__dict__.pop("_attrs_cache", None)
        self.__dict__.pop("_namespaces", None)
        self.modules[name] = info
        self.by_path[path] = name
        # Namespace packages (folders without __init__.py) import by their path from the root
        # (or from src/): register that name too, without overriding a real package name.
        for base in (root, root / "src"):
            is_package = self.packages.get(base)
            if is_package is None:
                is_package = self.packages[base] = (base / "__init__.py").is_file()
            if is_package:
                # The base is itself a package (a library checked out on its own): its modules
                # are only importable under the package name, never as top-level modules that
                # would shadow the stdlib (``typing``) or third-party packages.
                continue
            try:
                rel = path.relative_to(base)
            except ValueError:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            alias = ".".join(parts)
            if alias and alias != name and alias not in self.modules:
                self.modules[alias] = info
        if "." in name and not info.is_package and _below_root(path.parent, root):
            # module_name_for named a module of a folder without __init__.py from the root; code
            # run from inside that folder imports it by its bare name.
            has_init = self.packages.get(path.parent)
            if has_init is None:
                has_init = self.packages[path.parent] = (path.parent / "__init__.py").is_file()
            if not has_init:
                self._alias_bare(path.stem, info)

    def _alias_bare(self, stem: str, info: ModuleInfo) -> None:
        """Register ``stem`` for ``info`` while no other such module has that file name."""
        if stem not in self.bare:
            self.bare[stem] = info
            if stem not in self.modules:
                self.modules[stem] = info
            return
        other = self.bare[stem]
        if other is not None and other is not info:
            self.bare[stem] = None
            if self.modules.get(stem) is other:
                del self.modules[stem]

    def get(self, name: str) -> ModuleInfo | None:
        return self.modules.get(name)

    def module_at(self, path: Path) -> ModuleInfo | None:
        name = self.by_path.get(path)
        return self.modules.get(name) if name is not None else None

    def is_project_module(self, name: str) -> bool:
        return name in self.modules

    def is_submodule(self, package: str, name: str) -> bool:
        """True when ``from package import name`` imports a submodule of the project."""
        return f"{package}.{name}" in self.modules

    def binds_submodule(self, package: str, name: str) -> bool:
        """True when ``from package import name`` certainly gives the submodule: the package's
        ``__init__`` binds no other object to ``name``. Python reads the package's attribute
        first, so NiceGUI's ``from .nicegui import app`` in ``nicegui/__init__.py`` makes
        ``from nicegui import app`` the App instance, not the ``nicegui.app`` package."""
        submodule = f"{package}.{name}"
        if submodule not in self.modules:
            return False
        info = self.modules.get(package)
        if info is None:
            return True
        if info.dynamic or name in info.defines:
            return False
        for rec in info.imports:
            if not rec.module_level or rec.type_checking:
                continue  # bound later or never: the attribute is the submodule at import time
            if rec.name == "*":
                return False
            if rec.name is not None:
                bound, gives = rec.asname or rec.name, f"{rec.module}.{rec.name}"
            else:
                bound = rec.asname or rec.module.partition(".")[0]
                gives = rec.module if rec.asname else bound
            if bound == name and gives != submodule:
                return False
        return True

    def definers(self, name: str) -> list[ModuleInfo]:
        """Modules that define ``name`` themselves (not by importing it), in a stable order."""
        seen: dict[str, ModuleInfo] = {}
        for info in self.modules.values():
            if name in info.defines and info.name not in seen:
                seen[info.name] = info
        return sorted(seen.values(), key=lambda i: i.name)

    def attribute_set_anywhere(self, name: str) -> bool:
        """True when some project module assigns an attribute called ``name`` (see
        ``ModuleInfo.attrs_assigned``); cached per index."""
        cache = self.__dict__.setdefault("_attrs_cache", None)
        if cache is None:
            cache = set().union(*(m.attrs_assigned for m in self.modules.values()))
            self.__dict__["_attrs_cache"] = cache
        return name in cache

    def unique_modules(self) -> list[ModuleInfo]:
        """Each module once (aliases for namespace packages removed), sorted by name."""
        return sorted({id(m): m for m in self.modules.values()}.values(), key=lambda m: m.name)

    def settle_names(self) -> None:
        """Name each module the way the project imports it (:meth:`_settle_names`), then mark the
        modules that a project helper aliases in ``sys.modules`` (:meth:`_settle_aliased`): both
        need the whole index, so they run once it is built."""
        self._settle_names()
        self._settle_aliased()

    def _settle_names(self) -> None:
        """Name each module the way the project imports it.

        A folder without ``__init__.py`` at the top (``core/`` holding the package ``core/mw/``,
        or ``src/`` without the src layout's packages) leaves two ways to name a module:
        ``module_name_for`` picks one (``mw.log``), ``add_info`` registers the other
        (``core.mw.log``). When no import in the project spells the chosen name's top-level
        name but some spell another name of the same module, that one becomes its name, so the
        rules compare and print what the code imports. A project without such folders keeps
        every name.
        """
        names_of: dict[int, list[str]] = {}
        for key, info in self.modules.items():
            names_of.setdefault(id(info), []).append(key)
        if all(len(names) == 1 for names in names_of.values()):
            return
        used: dict[str, int] = {}
        for info in self.unique_modules():
            for rec in info.imports:
                if rec.level:
                    continue  # resolved against the name being decided: no evidence
                spelled = rec.module
                if spelled not in self.modules and not (
                    rec.name and f"{spelled}.{rec.name}" in self.modules
                ):
                    continue
                top = spelled.split(".")[0]
                used[top] = used.get(top, 0) + 1
        renamed: dict[int, ModuleInfo] = {}
        for info in self.unique_modules():
            if used.get(info.name.split(".")[0]):
                continue
            spelled_names = [n for n in names_of[id(info)] if used.get(n.split(".")[0])]
            if not spelled_names:
                continue
            best = min(spelled_names, key=lambda n: (-used[n.split(".")[0]], n))
            renamed[id(info)] = replace(
                info, name=best, imports=_rebased(info.imports, info.name, best)
            )
        if not renamed:
            return
        for key, info in list(self.modules.items()):
            new = renamed.get(id(info))
            if new is not None:
                self.modules[key] = new
        for new in renamed.values():
            self.by_path[new.path] = new.name
        self.__dict__.pop("_attrs_cache", None)
        self.__dict__.pop("_namespaces", None)

    def _settle_aliased(self) -> None:
        """Mark modules aliased (and dynamic) that call, at module level, a project function
        writing ``sys.modules`` with their ``__name__``: inference's package ``__init__`` runs
        ``_alias_legacy_root(__name__)``, which points ``sys.modules`` at another package, so
        neither its names nor its submodules are the ones on disk. New entries replace the old
        (never mutated: the module cache holds the scanned ones)."""
        marked: dict[int, ModuleInfo] = {}
        for info in self.unique_modules():
            if info.aliased or not info.name_calls:
                continue
            if any(self._call_writes_modules(info, called) for called in info.name_calls):
                marked[id(info)] = replace(info, dynamic=True, aliased=True)
        if not marked:
            return
        for key, info in list(self.modules.items()):
            new = marked.get(id(info))
            if new is not None:
                self.modules[key] = new

    def _call_writes_modules(self, info: ModuleInfo, called: str) -> bool:
        """Whether ``called`` (a dotted name as written in ``info``) is a project function that
        writes ``sys.modules``, found through ``info``'s own definitions and imports."""
        head, _, rest = called.partition(".")
        if not rest and head in info.modules_writers:
            return True
        for rec in info.imports:
            if not rec.module_level or rec.type_checking:
                continue
            if rec.name is not None:
                if (rec.asname or rec.name) != head:
                    continue
                path = [rec.module, rec.name, *rest.split(".")] if rest else [rec.module, rec.name]
            elif rec.asname is not None:
                if rec.asname != head:
                    continue
                path = [rec.module, *rest.split(".")] if rest else [rec.module]
            else:
                if rec.module.partition(".")[0] != head:
                    continue
                path = called.split(".")
            dotted = ".".join(path)
            module, _, function = dotted.rpartition(".")
            if module and self._writes_modules(module, function, 3):
                return True
        return False

    def _writes_modules(self, module: str, function: str, hops: int) -> bool:
        """``module.function`` writes ``sys.modules``, following up to ``hops`` re-exports."""
        info = self.modules.get(module)
        if info is None:
            return False
        if function in info.modules_writers:
            return True
        if hops <= 0 or function in info.defines:
            return False
        for rec in info.imports:
            if rec.module_level and rec.name is not None and (rec.asname or rec.name) == function:
                return self._writes_modules(rec.module, rec.name, hops - 1)
        return False

    def namespace_folder(self, name: str) -> Path | None:
        """The folder of namespace package ``name`` (a folder without ``__init__.py`` that holds
        project modules, like ``src`` for ``src.models.user``), or None."""
        found: dict[str, Path] | None = self.__dict__.get("_namespaces")
        if found is None:
            found = {}
            for info in self.unique_modules():
                parts = info.name.split(".")
                folder = info.path.parent.parent if info.is_package else info.path.parent
                for cut in range(len(parts) - 1, 0, -1):
                    prefix = ".".join(parts[:cut])
                    if prefix in self.modules or (folder / "__init__.py").is_file():
                        break
                    found.setdefault(prefix, folder)
                    folder = folder.parent
            self.__dict__["_namespaces"] = found
        return found.get(name)


@dataclass
class Project:
    """Everything a rule may read about the project; rules never write through it."""

    root: Path
    config: Config
    files: list[Path]
    index: ModuleIndex
    texts: dict[Path, str] = field(default_factory=dict, repr=False)
    """Current text of every readable file (after earlier fixes in this run, for project rules)."""

    def read_text(self, path: Path) -> str | None:
        return self.texts.get(path)

    def module_name(self, path: Path) -> str | None:
        return self.index.by_path.get(path)

    def rule_ignored(self, path: Path, rule_id: str) -> bool:
        """True when ``per-file-ignores`` silences ``rule_id`` for ``path``."""
        if not self.config.per_file_ignores:
            return False
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            return False
        return any(
            (rule_id in ids or "ALL" in ids) and _pattern(pattern).match_file(rel)
            for pattern, ids in self.config.per_file_ignores.items()
        )

    def without_texts(self) -> Project:
        """A copy that is cheap to ship to worker processes (each worker gets its file's text)."""
        return Project(self.root, self.config, self.files, self.index, {})


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines([pattern])
