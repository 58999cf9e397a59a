"""A name imported from a project module that does not define it fails at import time.

``from app.db.base import get_db`` raises ImportError when ``app.db.base`` neither defines nor
re-exports ``get_db``: the route module never loads and its endpoints silently disappear (or the
service does not start). The review found every route importing ``get_db`` from ``app.db.base`` while
the real dependency lives in ``app.database`` (sections 2.1 and 7.1, deploy blocker 1).

Fix (safe): when exactly one project module defines the name (``def``, ``class`` or a top-level
assignment; re-imports don't count) the import is rewritten to read it from there. Only the wrong
names move (``from ..db.base import Base, get_db`` keeps ``Base``), aliases are kept, relative
imports stay relative and absolute stay absolute, and the new import goes right after the old one
(none is added when an import line beside the old one, with no other statement between, already
imports the name from the right module: the name is just dropped from the wrong import). A module
bound by ``import app.db.base as db_base`` (or ``from app.db import base``) whose attribute
``db_base.get_db`` is missing gets the attribute rewritten to the right module; the old import is
removed once nothing else uses it. Nothing is guessed: modules that may provide any name (a module
``__getattr__``, whether defined, assigned as in ``__getattr__ = make_getattr(...)`` or imported, a
star import, definitions under ``try/except ImportError``, ``sys.modules[__name__] = other``, or a
module-level call like ``_alias_legacy_root(__name__)`` of a project function that writes
``sys.modules``) are left alone, imports guarded by ``try/except ImportError`` are left alone, a
name that another import binds to something else is left alone (``from app.adaptors import
kubernetes`` beside ``import kubernetes.client``), the dotted path of an import statement is never
read as an attribute (``from kubernetes.client import V1Pod`` names the SDK), and when several
modules define the name the rule only reports them — unless ``canonical-db-module`` is one of them,
or only one of them lives in the same top-level package. Inside a package ``P`` that holds a module
``P.py`` beside its ``__init__.py`` (a server template whose ``main.py`` runs from inside ``P/``),
``import P`` may read ``P.py`` and ``P.<submodule>`` may not import at all, so imports of ``P``
there are only reported.

Explicit moves for names that exist in the old module but are the wrong ones (two competing database
systems) go in ``[tool.archfix.imports]``: ``"app.db.base.get_db" = "app.database.get_db"`` moves one
name, ``"app.db.base" = "app.database"`` moves every imported name the new module provides.

Example::

    from ...db.base import Base, get_db     # before: get_db is not in app.db.base

    from ...db.base import Base             # after
    from ...database import get_db
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from archfix import diskprobe
from archfix.codemods import _walk
from archfix.codemods._cst import dotted_name
from archfix.codemods.base import FileCodemod
from archfix.config import Option
from archfix.models import Fix
from archfix.project import ModuleIndex, ModuleInfo, Project, resolve_relative

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


@dataclass(frozen=True)
class Move:
    """Read ``name`` from ``module`` instead."""

    module: str
    name: str
    why: str


@dataclass(frozen=True)
class Ambiguous:
    """Several project modules define the name; a human picks."""

    candidates: tuple[str, ...]


@dataclass(frozen=True)
class BadTarget:
    """A configured move whose target does not exist."""

    message: str


@dataclass(frozen=True)
class Unsure:
    """A name some project module defines, where moving the import may break it: report why."""

    message: str


Plan = Move | Ambiguous | BadTarget | Unsure


def submodule_on_disk(info: ModuleInfo, name: str) -> bool:
    """True when package ``info`` has a submodule ``name`` the index may not list (a compiled
    extension, a stub, an excluded file)."""
    return info.is_package and module_on_disk(info.path.parent, [name])


def module_on_disk(folder: Path, rest: Sequence[str]) -> bool:
    """Whether ``rest`` (``["auth", "deps"]``) names a module below ``folder``: folders down to
    the last name, then a file or folder of that name (an empty ``auth/`` has no ``deps``)."""
    for name in rest[:-1]:
        diskprobe.note(folder)
        folder = folder / name
        if not folder.is_dir():
            return False
    diskprobe.note(folder)
    last = rest[-1]
    return (folder / last).is_dir() or any(folder.glob(f"{last}.*"))


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _configured(
    imports: Mapping[str, str], index: ModuleIndex, module: str, name: str
) -> Plan | None:
    target = imports.get(f"{module}.{name}")
    if target is not None:
        if index.get(target) is not None and index.get(target) is not index.get(module):
            new_module, new_name = target, name
        else:
            new_module, _, new_name = target.rpartition(".")
        info = index.get(new_module)
        if info is None or not (
            info.provides(new_name) or index.is_submodule(new_module, new_name)
        ):
            return BadTarget(
                f"[tool.archfix.imports] moves {module}.{name} to {target}, "
                "which no project module defines"
            )
        return Move(new_module, new_name, "configured in [tool.archfix.imports]")
    target = imports.get(module)
    if target is not None:
        info = index.get(target)
        if info is not None and (name in info.defines or name in info.reexports):
            return Move(target, name, "configured in [tool.archfix.imports]")
    return None


def plan_move(
    index: ModuleIndex,
    options: Mapping[str, Any],
    importer: str | None,
    module: str,
    name: str,
) -> Plan | None:
    """Where ``from module import name`` (written in ``importer``) should read ``name`` from.

    None when the import is fine, or when the rule cannot tell (not a project module, a dynamic
    module, or no project module defines the name: unresolved-import reports that).
    """
    imports = options.get("imports") or {}
    if imports:
        planned = _configured(imports, index, module, name)
        if isinstance(planned, Move) and (
            (planned.module == module and planned.name == name) or planned.module == importer
        ):
            return None
        if planned is not None:
            return planned
    info = index.get(module)
    if info is None or info.provides(name) or index.is_submodule(module, name):
        return None
    if submodule_on_disk(info, name):
        return None
    candidates = [
        d.name for d in index.definers(name) if d.name not in (importer, module, info.name)
    ]
    if not candidates:
        return None
    shadow = _shadowing_sibling(index, importer, module)
    if shadow is not None:
        top = _top(module)
        beside = f"{top}/" if shadow.is_package else shadow.path.name
        return Unsure(
            f"{name} is not defined in package {module}, but code run from inside {top}/ "
            f"imports {top} as the module beside it ({beside}), and {top}.<submodule> "
            "fails there: the import may be right, so it is not rewritten"
        )
    if len(candidates) > 1:
        canonical = options.get("canonical-db-module") or ""
        if canonical in candidates:
            return Move(canonical, name, f"{canonical} is the canonical module")
        # Scripts and tests that happen to define the same name are not where the
        # package's code reads from.
        same_package = [c for c in candidates if _top(c) == _top(module)]
        if len(same_package) != 1:
            return Ambiguous(tuple(candidates))
        return Move(same_package[0], name, f"the only definition in package {_top(module)}")
    if _top(candidates[0]) != _top(module):
        # A name missing from one package and defined in an unrelated one is far more often
        # created at run time (``re``'s flags, names set by another module) than imported from
        # the wrong package: the index cannot see it, so the rule must not guess.
        return None
    return Move(candidates[0], name, "")


def _shadowing_sibling(index: ModuleIndex, importer: str | None, module: str) -> ModuleInfo | None:
    """The module ``P/P.py`` beside ``P/__init__.py`` when ``module`` is under top-level package
    ``P`` and ``importer`` is in ``P``: a script run from inside ``P/`` (truss's server template
    runs ``main.py`` there, importing its siblings by bare name) gets ``P.py`` for ``import P``,
    so both the import as written and any rewrite to ``P.<sub>`` may be wrong."""
    top = _top(module)
    package = index.get(top)
    if package is None or not package.is_package or importer is None or _top(importer) != top:
        return None
    sibling = index.get(f"{top}.{top}")
    if sibling is None:
        return None
    folder = sibling.path.parent.parent if sibling.is_package else sibling.path.parent
    return sibling if folder == package.path.parent else None


def relative_parts(package: Sequence[str], target: str) -> tuple[int, str] | None:
    """``(level, rest)`` so that ``from <level dots><rest>`` in ``package`` names ``target``."""
    parts = target.split(".")
    common = 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    if common == 0:
        return None
    return len(package) - common + 1, ".".join(parts[common:])


def _handles_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    if handler.type is None:
        return True
    types = (
        [e.value for e in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    return any((dotted_name(t) or "").rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types)


@dataclass
class Binding:
    """A name (or dotted chain) in this file that refers to a project module."""

    key: str
    """``db_base`` for ``import app.db.base as db_base``; ``app.db.base`` for a plain import."""
    module: str
    kind: str
    """"alias" (import M as x), "plain" (import M) or "from" (from P import sub)."""
    stmt_index: int
    """Index of the top-level statement that binds it."""
    level: int = 0
    created: cst.SimpleStatementLine | None = None
    """The import statement to insert, for bindings this rule creates."""
    inserted: bool = False


class _Names(cst.CSTVisitor):
    """Every identifier used in the file, and the ones bound by something other than an import."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.assigned: set[str] = set()
        self.imported: dict[str, set[str]] = {}
        """Name -> what the file's import statements bind it to (``import a.b`` binds ``a`` to
        ``a``; ``from p import n as m`` binds ``m`` to ``p.n``)."""

    def visit_Name(self, node: cst.Name) -> None:
        self.used.add(node.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if dotted is None:
                continue
            if alias.asname is None:
                top = dotted.split(".")[0]
                self.imported.setdefault(top, set()).add(top)
            elif isinstance(alias.asname.name, cst.Name):
                self.imported.setdefault(alias.asname.name.value, set()).add(dotted)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else None
        base = "." * len(node.relative) + (module or "")
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                name = alias.asname.name.value
            self.imported.setdefault(name, set()).add(f"{base}.{alias.name.value}")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.assigned.update(_target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.assigned.update(_target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.assigned.update(_target_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.assigned.update(_target_names(node.name))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.assigned.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.assigned.add(node.name.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.assigned.add(node.name.value)


def _target_names(node: cst.BaseExpression | cst.CSTNode) -> set[str]:
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, (cst.Tuple, cst.List)):
        out: set[str] = set()
        for el in node.elements:
            out |= _target_names(el.value)
        return out
    return set()


def _attribute_pairs(node: ast.AST) -> Iterator[tuple[str, str]]:
    """``(dotted value, attribute)`` of an attribute read (an import statement's dotted module
    path is not one: ``from kubernetes.client import V1Pod`` never looks up a local ``kubernetes``)."""
    if isinstance(node, ast.Attribute):
        key = _walk.dotted(node.value)
        if key is not None:
            yield key, node.attr


Imported = tuple[str, str, str]
"""``(absolute module, name, bound name)`` of one name of a ``from`` import."""


class _ImportRuns(cst.CSTVisitor):
    """For each import line, what the run of import lines around it (consecutive in one block,
    nothing else between) imports: a moved name already imported there needs no new import."""

    def __init__(self, resolve: Any) -> None:
        self.resolve = resolve
        self.runs: dict[int, set[Imported]] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Statements only: expressions, decorators and parameters hold no import lines, and
        visiting them cost more than the rest of the rule."""
        if isinstance(
            node,
            (
                cst.SimpleStatementLine,
                cst.SimpleStatementSuite,
                cst.BaseExpression,
                cst.Decorator,
                cst.Parameters,
                cst.Annotation,
            ),
        ):
            return False
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> None:
        self._body(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._body(node.body)

    def _body(self, body: Sequence[cst.CSTNode]) -> None:
        run: list[cst.SimpleStatementLine] = []
        for stmt in (*body, None):
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body
            ):
                run.append(stmt)
                continue
            imported: set[Imported] = set()
            for line in run:
                imported |= self._imported(line)
                self.runs[id(line)] = imported
            run = []

    def _imported(self, line: cst.SimpleStatementLine) -> set[Imported]:
        out: set[Imported] = set()
        for small in line.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            module = self.resolve(small)
            if not module:
                continue
            for alias in small.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                bound = alias.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bound = alias.asname.name.value
                out.add((module, alias.name.value, bound))
        return out


class _Uses(cst.CSTVisitor):
    """Counts uses of one name outside import statements."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1


def _without_alias(
    names: Sequence[cst.ImportAlias], drop: set[int], parenthesized: bool
) -> list[cst.ImportAlias]:
    kept = [a for i, a in enumerate(names) if i not in drop]
    if kept and not parenthesized:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif kept and len(names) - 1 in drop:
        # The old last name's comma carries the layout before ``)`` (and its comment).
        kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
    return kept


def _candidates(
    index: ModuleIndex, options: Mapping[str, Any], info: ModuleInfo
) -> Iterator[Binding | None]:
    """What the prefilters look for in a module, from its imports: None for an imported name that
    itself gets a plan (the file must be parsed), else each binding of a project module whose
    attributes may get one (``stmt_index`` is unused here)."""
    for rec in info.imports:
        if rec.in_try or rec.name == "*":
            continue
        if rec.name is not None:
            if plan_move(index, options, info.name, rec.module, rec.name) is not None:
                yield None
                return
            if not index.binds_submodule(rec.module, rec.name):
                continue
            binding = Binding(rec.asname or rec.name, f"{rec.module}.{rec.name}", "from", 0)
        elif rec.asname:
            binding = Binding(rec.asname, rec.module, "alias", 0)
        else:
            binding = Binding(rec.module, rec.module, "plain", 0)
        if index.get(binding.module) is not None:
            yield binding


class _AstNames:
    """From an ``ast`` tree: each dotted name's attributes (as ``_attribute_pairs`` gives them),
    and names bound other than by import, a subset of what :class:`_Names` collects."""

    def __init__(self, tree: ast.Module) -> None:
        self.attributes: dict[str, set[str]] = {}
        self.assigned: set[str] = set()
        """Bound anywhere: what ``_Names`` collects over the whole module."""
        self.outside: set[str] = set()
        """Bound outside the top-level import statements (``_assigned_outside_imports``)."""
        attribute, binders = ast.Attribute, _BINDERS
        for stmt in tree.body:
            top_import = isinstance(stmt, (ast.Import, ast.ImportFrom))
            for node in ast.walk(stmt):
                kind = type(node)
                if kind is attribute:
                    for key, attr in _attribute_pairs(node):
                        self.attributes.setdefault(key, set()).add(attr)
                if kind in binders:
                    bound = _ast_bound(node)
                    self.assigned |= bound
                    if not top_import:
                        self.outside |= bound

    def drops(self, binding: Binding) -> bool:
        """Whether ``visit_Module`` certainly drops this binding (a name bound twice is not
        looked at: the rule drops it too, and answering False is the safe side)."""
        key = binding.key
        if "." in key:
            return key.split(".")[0] in self.assigned
        if binding.kind == "alias":
            return key in self.outside
        return key in self.assigned


_BINDERS = frozenset(
    {
        ast.Assign,
        ast.AnnAssign,
        ast.For,
        ast.AsyncFor,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.arg,
        ast.alias,
        ast.withitem,
        ast.ExceptHandler,
    }
)
"""The node types :func:`_ast_bound` reads."""


def _ast_targets(node: ast.AST | None) -> set[str]:
    """``_target_names`` for ``ast``: names, and tuples and lists of them (starred too)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Starred):
        return _ast_targets(node.value)
    if isinstance(node, (ast.Tuple, ast.List)):
        out: set[str] = set()
        for element in node.elts:
            out |= _ast_targets(element)
        return out
    return set()


def _ast_bound(node: ast.AST) -> set[str]:
    """The names ``_Names`` records as assigned for the libcst nodes this ``ast`` node stands for."""
    if isinstance(node, ast.Assign):
        out: set[str] = set()
        for target in node.targets:
            out |= _ast_targets(target)
        return out
    if isinstance(node, ast.AnnAssign):
        return _ast_targets(node.target)
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return _ast_targets(node.target)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.arg):
        return {node.arg}
    if isinstance(node, ast.alias):
        return {node.asname} if node.asname else set()
    if isinstance(node, ast.withitem):
        return _ast_targets(node.optional_vars)
    if isinstance(node, ast.ExceptHandler):
        return {node.name} if node.name else set()
    return set()


_WORD_OR_DOT = re.compile(r"[\w.]")


def _attributes(text: str, bound: str) -> set[str]:
    """Each ``attr`` of ``bound.<attr>`` in ``text`` (``bound`` not part of a longer name).

    The pattern starts with the name itself, so ``re`` searches for it as a literal; a leading
    look-behind made each search try every position (seconds over the stdlib, which imports its
    own modules everywhere)."""
    regex = re.compile(re.escape(bound).replace(r"\.", r"\s*\.\s*") + r"\s*\.\s*(\w+)")
    attrs: set[str] = set()
    pos = 0
    while (match := regex.search(text, pos)) is not None:
        start = match.start()
        if start and _WORD_OR_DOT.match(text, start - 1):
            pos = start + 1  # as the look-behind did: the next match may start inside this one
            continue
        attrs.add(match.group(1))
        pos = match.end()
    return attrs


class MisplacedImport(_walk.Pruning, FileCodemod):
    id = "misplaced-import"
    title = "Import each name from the module that defines it"
    section = "2.1 Import/Module Issues"
    fixable = Fix.SAFE
    triggers = ("import",)
    priority = 10
    options = {
        "canonical-db-module": Option(
            "str",
            "app.database",
            "Module that wins when several project modules define an imported name "
            "(ignored when it does not exist).",
        )
    }
    config_tables = {
        "imports": Option(
            "dict[str,str]",
            {},
            'Explicit moves: "old.module.name" = "new.module.name", or "old.module" = "new.module".',
        )
    }

    @classmethod
    def wants(cls, path: Any, text: str, project: Project) -> bool:
        """Parse only files whose index entry imports a name that must move (or be reported)."""
        if not cls.wants_text(text):
            return False
        info = project.index.module_at(path)
        if info is None:
            return False
        index, options = project.index, project.config.options_for(cls.id)
        for binding in _candidates(index, options, info):
            if binding is None:
                return True
            for attr in _attributes(text, binding.key):
                if plan_move(index, options, info.name, binding.module, attr) is not None:
                    return True
        return False

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """The attributes ``wants`` found in the text, checked as the rule checks them: real
        attribute reads (not words in strings or comments) of a binding the rule keeps (it drops
        a binding whose name the file also assigns: a parameter or variable of that name)."""
        info = project.index.get(module_name) if module_name is not None else None
        if info is None:
            return True
        index, options = project.index, project.config.options_for(cls.id)
        bindings: list[Binding] = []
        for binding in _candidates(index, options, info):
            if binding is None:
                return True
            bindings.append(binding)
        if not bindings:
            return False
        names = _AstNames(tree)
        for binding in bindings:
            if names.drops(binding):
                continue
            for attr in names.attributes.get(binding.key, ()):
                if plan_move(index, options, info.name, binding.module, attr) is not None:
                    return True
        return False

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.index = ctx.project.index
        self.importer: str | None = ctx.module_name
        self.is_package = ctx.path.name == "__init__.py"
        self.package: list[str] = []
        if self.importer:
            parts = self.importer.split(".")
            self.package = parts if self.is_package else parts[:-1]
        self.top_index: dict[int, int] = {}
        self.after: dict[int, list[cst.SimpleStatementLine]] = {}
        self.bindings: dict[str, Binding] = {}
        self.rewritten: set[str] = set()
        self.guarded = 0
        self.stores: set[int] = set()
        self._module: cst.Module | None = None
        self._names: _Names | None = None
        self._plans: dict[tuple[str, str], Plan | None] = {}
        self._runs: dict[int, set[Imported]] | None = None
        self._from_counts: Counter[str] | None = None
        self.dropped: set[int] = set()
        """Top-level statements removed whole (their names were imported right beside them)."""

    # --- set-up -------------------------------------------------------------------------

    def _file_names(self) -> _Names:
        """Names used and assigned anywhere in the original module, collected on first need.

        A full libcst traversal costs about as much as the rule's own; it is only needed when the
        file binds a project module (attribute fixes) or a new import needs a free name.
        """
        if self._names is None:
            assert self._module is not None
            self._names = _Names()
            self._module.visit(self._names)
        return self._names

    def visit_Module(self, node: cst.Module) -> bool:
        self._module = node
        seen: dict[str, int] = {}
        for i, stmt in enumerate(node.body):
            self.top_index[id(stmt)] = i
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                for binding in self._bindings_of(small, i):
                    seen[binding.key] = seen.get(binding.key, 0) + 1
                    self.bindings[binding.key] = binding
        route = self._route(node)
        if not self.bindings:
            # Bindings are only ever added from ``leave_Attribute`` on an existing binding, so
            # only ``from`` imports (in statements) and ``try`` guards matter: expressions are
            # not traversed (libcst rebuilds every node it passes).
            route = route or _walk.STATEMENTS_ONLY
            if route.empty:
                return False  # nothing to move or report
            self.prune(route)
            return True
        self.prune(route)
        names = self._file_names()
        for key, count in seen.items():
            if count > 1 or key.split(".")[0] in names.assigned - {key}:
                self.bindings.pop(key, None)
        for key in list(self.bindings):
            if len(names.imported.get(key.split(".")[0], ())) > 1:
                # Another import binds the name to something else (``from app.adaptors import
                # kubernetes`` beside ``import kubernetes.client``): which one a use reads
                # depends on the order, so leave it.
                self.bindings.pop(key, None)
        for key in list(self.bindings):
            if "." not in key and key in names.assigned:
                # Rebound somewhere else in the file: the attribute may not be the module's.
                b = self.bindings[key]
                if b.kind != "alias" or self._assigned_outside_imports(node, key):
                    self.bindings.pop(key, None)
        return True

    def _route(self, node: cst.Module) -> _walk.Route | None:
        """The statements holding a ``from`` import or a bound module's attribute that gets a
        finding (None: all of them). Drops the bindings when no attribute of theirs can change.
        """
        if not _walk.ENABLED:
            return None
        imports = _walk.route_to(
            node,
            enter=[
                id(stmt)
                for stmt in _walk.statements(node)
                if isinstance(stmt, cst.SimpleStatementLine)
                and any(self._import_hit(small) for small in stmt.body)
            ],
        )
        if not self.bindings:
            return imports
        tree = _walk.tree_of(self.ctx)
        if tree is None:
            return None
        # An attribute's source holds the first name of its bound module's key.
        needles = sorted({key.split(".")[0] for key in self.bindings})
        text = self.ctx.source.text if self.ctx.source is not None else None
        attributes = _walk.route(node, tree, self._attribute_hit, needles=needles, text=text)
        if attributes is None:
            return None
        if attributes.empty:
            self.bindings.clear()  # no attribute of a bound module is missing
            return imports
        return imports.union(attributes)

    def _import_hit(self, small: cst.BaseSmallStatement) -> bool:
        """``from M import a, b`` where a name gets a plan (``_fix_import_from``'s test without
        the ``try`` guard, which only ever skips)."""
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            return False
        module = self._resolve(small)
        return bool(module) and any(
            self._plan(module, alias.name.value) is not None  # type: ignore[arg-type]
            for alias in small.names
            if isinstance(alias.name, cst.Name)
        )

    def _attribute_hit(self, node: ast.AST) -> bool:
        """An attribute ``leave_Attribute`` may act on: ``key.name`` for a bound ``key`` and a
        name that gets a plan. libcst also has attribute nodes in import statements' dotted
        names (``import a.b.c``, ``from a.b import c``), where ``ast`` has strings."""
        if not self.bindings:
            return False
        for key, name in _attribute_pairs(node):
            binding = self.bindings.get(key)
            if binding is not None and self._plan(binding.module, name) is not None:
                return True
        return False

    @staticmethod
    def _assigned_outside_imports(node: cst.Module, key: str) -> bool:
        probe = _Names()
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
            ):
                continue
            stmt.visit(probe)
        return key in probe.assigned

    def _module_ok(self, module: str) -> bool:
        info = self.index.get(module)
        return info is not None and not info.dynamic

    def _bindings_of(self, small: cst.BaseSmallStatement, i: int) -> list[Binding]:
        out: list[Binding] = []
        if isinstance(small, cst.Import):
            for alias in small.names:
                module = dotted_name(alias.name)
                if module is None or not self._module_ok(module):
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    out.append(Binding(alias.asname.name.value, module, "alias", i))
                elif alias.asname is None:
                    out.append(Binding(module, module, "plain", i))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            package = self._resolve(small)
            if package is None:
                return out
            for alias in small.names:
                name = alias.name.value if isinstance(alias.name, cst.Name) else None
                if name is None or not self.index.binds_submodule(package, name):
                    continue
                module = f"{package}.{name}"
                if not self._module_ok(module):
                    continue
                key = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    key = alias.asname.name.value
                out.append(Binding(key, module, "from", i, level=len(small.relative)))
        return out

    def _resolve(self, node: cst.ImportFrom) -> str | None:
        level = len(node.relative)
        module = dotted_name(node.module) if node.module is not None else None
        if level == 0:
            return module
        if not self.importer:
            return None
        return resolve_relative(module, level, self.importer, self.is_package) or None

    def _plan(self, module: str, name: str) -> Plan | None:
        key = (module, name)
        if key not in self._plans:
            self._plans[key] = plan_move(self.index, self.ctx.options, self.importer, module, name)
        return self._plans[key]

    def visit_Import(self, node: cst.Import) -> bool:
        # Import statements are handled whole (``leave_SimpleStatementLine``); the dotted module
        # paths inside them are not attribute reads through this file's bindings.
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        # ``mod.name = value`` sets the attribute: it is not a read of a missing name.
        self.stores.add(id(node.target))

    # --- try/except ImportError guards -------------------------------------------------

    def visit_Try(self, node: cst.Try) -> None:
        self.guarded += any(_handles_import_error(h) for h in node.handlers)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        self.guarded -= any(_handles_import_error(h) for h in original_node.handlers)
        return updated_node

    # --- from M import name ------------------------------------------------------------

    def _module_text(self, target: str, relative_style: bool) -> str:
        if relative_style and self.package:
            rel = relative_parts(self.package, target)
            if rel is not None:
                level, rest = rel
                return "." * level + rest
        return target

    def _imported_twice(self, name: str) -> bool:
        """Whether two ``from`` imports in the file bind ``name`` (from the file's ``ast``, parsed
        for the prefilters already): only then can the right import sit beside the wrong one."""
        if self._from_counts is None:
            if self.ctx.source is None:
                return True
            try:
                tree = self.ctx.source.tree()
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return True
            counts: Counter[str] = Counter()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    counts.update(a.asname or a.name for a in node.names)
            self._from_counts = counts
        return self._from_counts[name] >= 2

    def _imported_beside(self, line: cst.SimpleStatementLine) -> set[Imported]:
        """What the import lines around ``line`` (an original statement) import, computed on
        first need (a full traversal)."""
        if self._runs is None:
            assert self._module is not None
            runs = _ImportRuns(self._resolve)
            self._module.visit(runs)
            self._runs = runs.runs
        return self._runs.get(id(line), set())

    def _fix_import_from(
        self, node: cst.ImportFrom, line: cst.SimpleStatementLine
    ) -> tuple[cst.ImportFrom | None, list[cst.SimpleStatementLine]] | None:
        if isinstance(node.names, cst.ImportStar) or self.guarded:
            return None
        module = self._resolve(node)
        if not module:
            return None
        moves: dict[int, Move] = {}
        for i, alias in enumerate(node.names):
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            plan = self._plan(module, name)
            if isinstance(plan, Ambiguous):
                self.report(
                    node,
                    f"{name} is not defined in {module}; several project modules define it "
                    f"({', '.join(plan.candidates)}): import it from the right one",
                )
            elif isinstance(plan, (BadTarget, Unsure)):
                self.report(node, plan.message)
            elif isinstance(plan, Move):
                where = f"{plan.module}.{plan.name}" if plan.name != name else plan.module
                if plan.why:
                    message = f"import {name} from {where}, not {module} ({plan.why})"
                else:
                    message = f"{name} is not defined in {module}; import it from {where}"
                if self.report(node, message, fix=Fix.SAFE):
                    moves[i] = plan
        if not moves:
            return None
        renamed: dict[int, cst.ImportAlias] = {}
        groups: dict[str, list[cst.ImportAlias]] = {}
        beside: set[Imported] | None = None
        already = False
        for i, plan in moves.items():
            alias = node.names[i]
            assert isinstance(alias.name, cst.Name)
            if plan.name != alias.name.value:
                alias = alias.with_changes(
                    name=cst.Name(plan.name),
                    asname=alias.asname or cst.AsName(name=cst.Name(alias.name.value)),
                )
            renamed[i] = alias
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name) and self._imported_twice(bound.value):
                beside = self._imported_beside(line) if beside is None else beside
            if isinstance(bound, cst.Name) and (plan.module, plan.name, bound.value) in (
                beside or ()
            ):
                # The right import is already among the import lines beside this one (sglang's
                # TYPE_CHECKING block): drop the name here, add nothing.
                already = True
                continue
            groups.setdefault(plan.module, []).append(alias)
        relative_style = len(node.relative) > 0
        if len(moves) == len(node.names) and len(groups) == 1 and not already:
            # Every name moves to one module: rewrite the module in place (keeps comments).
            fresh = self._import_from_line(next(iter(groups)), relative_style, ["x"]).body[0]
            assert isinstance(fresh, cst.ImportFrom)
            names = [renamed[j] for j in range(len(node.names))]
            return node.with_changes(module=fresh.module, relative=fresh.relative, names=names), []
        kept = _without_alias(node.names, set(moves), node.lpar is not None)
        extras = []
        for target, aliases in groups.items():
            texts = []
            for a in aliases:
                assert isinstance(a.name, cst.Name)
                text = a.name.value
                if a.asname is not None and isinstance(a.asname.name, cst.Name):
                    text += f" as {a.asname.name.value}"
                texts.append(text)
            extras.append(self._import_from_line(target, relative_style, texts))
        return (node.with_changes(names=kept) if kept else None), extras

    def _import_from_line(
        self, target: str, relative_style: bool, names: Sequence[str]
    ) -> cst.SimpleStatementLine:
        source = f"from {self._module_text(target, relative_style)} import {', '.join(names)}\n"
        line = cst.parse_statement(source)
        assert isinstance(line, cst.SimpleStatementLine)
        return line

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
        body: list[cst.BaseSmallStatement] = []
        extras: list[cst.SimpleStatementLine] = []
        changed = False
        for original, updated in zip(original_node.body, updated_node.body, strict=True):
            if isinstance(original, cst.ImportFrom) and isinstance(updated, cst.ImportFrom):
                # Report against the original node: positions are keyed by it.
                fixed = self._fix_import_from(original, original_node)
                if fixed is not None:
                    new, more = fixed
                    changed = True
                    extras.extend(more)
                    if new is not None:
                        body.append(new)
                    continue
            body.append(updated)
        if not changed:
            return updated_node
        if body:
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            line: cst.SimpleStatementLine | None = updated_node.with_changes(body=body)
        else:
            line = None
        index = self.top_index.get(id(original_node))
        if line is None and extras:
            # The import moved entirely: the new line takes the old one's place and comments.
            extras[0] = extras[0].with_changes(
                leading_lines=updated_node.leading_lines,
                trailing_whitespace=updated_node.trailing_whitespace,
            )
            line, extras = extras[0], extras[1:]
        if index is not None:
            self.after.setdefault(index, [])[0:0] = extras
            if line is None:
                # leave_Module removes it: its body must keep the original statement indexes.
                self.dropped.add(index)
                return updated_node
            return line
        stmts: list[cst.BaseStatement] = [s for s in (line, *extras) if s is not None]
        return cst.FlattenSentinel(stmts) if stmts else cst.RemoveFromParent()

    # --- module bindings: db_base.get_db -----------------------------------------------

    def _free_name(self, base: str) -> str:
        taken = self._file_names().used | set(self.bindings)
        if base not in taken:
            return base
        n = 1
        while True:
            candidate = f"{base}_module" if n == 1 else f"{base}_module{n}"
            if candidate not in taken:
                return candidate
            n += 1

    def _binding_for(self, target: str, old: Binding) -> Binding:
        for b in self.bindings.values():
            if b.module == target and b.stmt_index <= old.stmt_index:
                return b
        parent, _, last = target.rpartition(".")
        if old.kind == "plain" or (old.kind == "from" and not parent):
            key, source = target, f"import {target}\n"
            kind = "plain"
        elif old.kind == "alias":
            key = self._free_name(last)
            source = f"import {target} as {key}\n" if key != target else f"import {target}\n"
            kind = "alias"
        else:
            key = self._free_name(last)
            suffix = f" as {key}" if key != last else ""
            source = f"from {self._module_text(parent, old.level > 0)} import {last}{suffix}\n"
            kind = "from"
        line = cst.parse_statement(source)
        assert isinstance(line, cst.SimpleStatementLine)
        binding = Binding(key, target, kind, old.stmt_index, old.level, created=line)
        self.bindings[key] = binding
        self._file_names().used.add(key.split(".")[0])
        return binding

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        key = dotted_name(updated_node.value)
        binding = self.bindings.get(key) if key else None
        if binding is None or binding.created is not None or id(original_node) in self.stores:
            return updated_node
        name = updated_node.attr.value
        plan = self._plan(binding.module, name)
        if plan is None:
            return updated_node
        if isinstance(plan, Ambiguous):
            self.report(
                original_node,
                f"{name} is not defined in {binding.module}; several project modules define it "
                f"({', '.join(plan.candidates)})",
            )
            return updated_node
        if isinstance(plan, (BadTarget, Unsure)):
            self.report(original_node, plan.message)
            return updated_node
        message = f"{key}.{name}: {name} is not in {binding.module}; use {plan.module}.{plan.name}"
        if binding.kind == "plain" or self.index.attribute_set_anywhere(name):
            # ``import a.b`` binds ``a``: the chain may work through another import's side
            # effect; and any ``something.<name> = ...`` or ``setattr(..., "<name>", ...)`` in the
            # project may set the attribute on this module at run time, which the index cannot
            # see. Either way the rule cannot be sure, and a wrong finding on correct code is noise.
            return updated_node
        if not self.report(original_node, message, fix=Fix.SAFE):
            return updated_node
        new = self._binding_for(plan.module, binding)
        if new.created is not None and not new.inserted:
            new.inserted = True
            self.after.setdefault(new.stmt_index, []).append(new.created)
        self.rewritten.add(binding.key)
        return updated_node.with_changes(
            value=cst.parse_expression(new.key), attr=cst.Name(plan.name)
        )

    # --- assembling ---------------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.after and not self.rewritten and not self.dropped:
            return updated_node
        body: list[Any] = list(updated_node.body)
        for index in self.dropped:
            body[index] = cst.RemovalSentinel.REMOVE
        for key in self.rewritten:
            binding = self.bindings[key]
            uses = _Uses(key)
            updated_node.visit(uses)
            if uses.count:
                continue
            body[binding.stmt_index] = self._drop_binding(body[binding.stmt_index], binding)
        out: list[cst.BaseStatement] = []
        carry: Sequence[cst.EmptyLine] = ()
        for i, stmt in enumerate(body):
            extras = list(self.after.get(i, []))
            if isinstance(stmt, cst.RemovalSentinel) or stmt is None:
                leading = getattr(original_node.body[i], "leading_lines", ())
                if extras:
                    extras[0] = extras[0].with_changes(leading_lines=leading)
                else:
                    carry = leading
            else:
                if carry and isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                    stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines])
                    carry = ()
                out.append(stmt)
            out.extend(extras)
        return updated_node.with_changes(body=out)

    def _drop_binding(self, stmt: Any, binding: Binding) -> Any:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return stmt
        body: list[cst.BaseSmallStatement] = []
        for small in stmt.body:
            if isinstance(small, cst.Import) and binding.kind == "alias":
                drop = {
                    i
                    for i, a in enumerate(small.names)
                    if a.asname is not None
                    and isinstance(a.asname.name, cst.Name)
                    and a.asname.name.value == binding.key
                }
                kept = _without_alias(small.names, drop, False)
                if kept:
                    body.append(small.with_changes(names=kept))
                continue
            if (
                isinstance(small, cst.ImportFrom)
                and binding.kind == "from"
                and not isinstance(small.names, cst.ImportStar)
            ):
                drop = {
                    i
                    for i, a in enumerate(small.names)
                    if (
                        a.asname.name.value
                        if a.asname is not None and isinstance(a.asname.name, cst.Name)
                        else dotted_name(a.name)
                    )
                    == binding.key
                }
                kept = _without_alias(small.names, drop, small.lpar is not None)
                if kept:
                    body.append(small.with_changes(names=kept))
                continue
            body.append(small)
        if not body:
            return cst.RemovalSentinel.REMOVE
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return stmt.with_changes(body=body)
