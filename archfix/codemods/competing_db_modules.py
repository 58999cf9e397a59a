"""Two database modules in one service means two engines, two session factories, two truths.

When several project modules each define a session dependency or an engine/session factory
(``get_db``, ``SessionLocal``, ``engine``, ``DatabaseManager``), routes end up on whichever one their
author happened to import: connection pools are doubled, pool settings diverge, and imports of the
"other" module break as soon as one of them changes. The review found ``app.database``
(DatabaseManager with pooling) competing with ``app.db.base`` (a bare SQLAlchemy setup) (section 6.1).

A module that imports another one's engine or session factory and defines none of the same kind
(``app.api.deps`` defining ``get_db`` over ``app.core.db``'s ``engine``) is a layer over it, not a
competitor, also when it imports through a package that re-exports it (``from ..database import
DatabaseManager`` with ``database/__init__.py`` re-exporting it from ``database/db_manager.py``).

Finding only: it names the competing modules, which one is canonical (``canonical-db-module`` of
misplaced-import when it exists, else the most imported one) and how many imports point at each.
Consolidating them is a design decision; misplaced-import's ``[tool.archfix.imports]`` moves the
imports once it is made.

Example::

    # app/database.py               # app/db/base.py
    engine = ...                    engine = create_engine(...)
    def get_db(): ...               SessionLocal = sessionmaker(bind=engine)
    # -> app/db/base.py: competing database modules: app.database (canonical, 3 imports),
    #    app.db.base (2 imports)
"""

from __future__ import annotations

import ast

from archfix.codemods.base import ProjectCodemod
from archfix.config import Option
from archfix.models import Fix
from archfix.project import ModuleIndex, ModuleInfo

_CANONICAL_OPTION_RULE = "misplaced-import"


def imports_of(index: ModuleIndex, module: str) -> int:
    """How many import records across the project read from ``module`` (or import it)."""
    count = 0
    for info in index.unique_modules():
        if info.name == module:
            continue
        for rec in info.imports:
            if rec.module == module or (rec.name and f"{rec.module}.{rec.name}" == module):
                count += 1
    return count


def definition_line(info: ModuleInfo, text: str | None, names: set[str]) -> int:
    """The line of the first top-level definition of one of ``names`` (1 when unknown)."""
    if text is None:
        return 1
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return 1
    for stmt in tree.body:
        bound: set[str] = set()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = {stmt.name}
        elif isinstance(stmt, ast.Assign):
            bound = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            bound = {stmt.target.id}
        if bound & names:
            return stmt.lineno
    return 1


def _defined_at(index: ModuleIndex, module: str, name: str) -> tuple[str, str]:
    """Where ``from module import name`` finds ``name``: through package re-exports
    (``from .db_manager import DatabaseManager`` in ``app/database/__init__.py``) to the module
    that defines it."""
    for _ in range(5):
        info = index.get(module)
        if info is None or name in info.defines:
            break
        record = next(
            (
                r
                for r in info.imports
                if r.module_level and r.name is not None and (r.asname or r.name) == name
            ),
            None,
        )
        if record is None or record.name is None:
            break
        module, name = record.module, record.name
    return module, name


def _builds_on(index: ModuleIndex, name: str, found: dict[str, list[str]]) -> bool:
    """Whether module ``name`` takes its engine or sessions from another database module: it
    imports a name that module defines (``from app.core.db import engine``, directly or through a
    package that re-exports it) and defines none of the same kind itself, so its ``get_db`` is a
    layer over that module, not a second database (the layout of FastAPI's full-stack template:
    ``app.api.deps`` over ``app.core.db``)."""
    info = index.get(name)
    if info is None:
        return False
    own = set(found[name])
    for rec in info.imports:
        if rec.type_checking or rec.name is None:
            continue
        module, imported = _defined_at(index, rec.module, rec.name)
        if module == name or module not in found:
            continue
        theirs = set(found[module])
        if imported in theirs and not own & theirs:
            return True
    return False


class CompetingDbModules(ProjectCodemod):
    id = "competing-db-modules"
    title = "Keep one database module per service"
    section = "6.1 Multiple Database Modules"
    fixable = Fix.NONE
    priority = 90
    options = {
        "indicators": Option(
            "list[str]",
            ["get_db", "SessionLocal", "engine", "DatabaseManager"],
            "Names whose definition marks a module as a database module.",
        )
    }

    def run(self) -> None:
        project = self.ctx.project
        index = project.index
        indicators = set(self.ctx.options.get("indicators", ()))
        found = {
            info.name: sorted(indicators & info.defines)
            for info in index.unique_modules()
            if indicators & info.defines
        }
        if len(found) < 2:
            return
        layers = {name for name in found if _builds_on(index, name, found)}
        found = {name: names for name, names in found.items() if name not in layers}
        if len(found) < 2:
            return
        counts = {name: imports_of(index, name) for name in found}
        configured = project.config.options_for(_CANONICAL_OPTION_RULE).get(
            "canonical-db-module", ""
        )
        canonical = (
            configured if configured in found else max(sorted(found), key=lambda n: counts[n])
        )
        listing = ", ".join(
            f"{name} ({'canonical, ' if name == canonical else ''}"
            f"{counts[name]} import{'s' if counts[name] != 1 else ''}; "
            f"defines {', '.join(found[name])})"
            for name in sorted(found)
        )
        for name in sorted(found):
            if name == canonical:
                continue
            info = index.get(name)
            assert info is not None
            line = definition_line(info, project.read_text(info.path), set(found[name]))
            self.ctx.report(
                info.path,
                line,
                1,
                f"competing database modules: {listing}; consolidate on {canonical}",
            )
