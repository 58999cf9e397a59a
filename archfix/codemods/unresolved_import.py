"""An import of a project module that does not exist, or of a name no project module defines.

Such an import raises ImportError when the module loads, so everything that imports it fails too
(a router that never registers, a service that does not start). Unlike misplaced-import there is no
right module to point at: the name was renamed, deleted, or never written (section 2.1).

Finding only. Only imports under the project's own top-level packages are checked (third-party and
standard-library modules are not the project's to judge); modules that may provide any name (a module
``__getattr__``, however it is bound, a star import, ImportError fallbacks) and imports guarded by
``try/except ImportError`` are trusted, and so are the submodules of a package whose ``sys.modules``
entry is written at run time (``sys.modules[__name__] = other``, or a module-level call like
``alias_legacy_root(__name__)`` of a project function that writes ``sys.modules``); imports under
``if TYPE_CHECKING:`` never run, so they are not checked; a name that some project module defines is
misplaced-import's case.

Example::

    from app.services.mailer import send_welcome_mail   # app/services/mailer.py does not exist
    from app.core.config import get_settings            # nothing in the project defines it
"""

from __future__ import annotations

from pathlib import Path

from archfix.codemods.base import ProjectCodemod
from archfix.codemods.misplaced_import import module_on_disk, submodule_on_disk
from archfix.models import Fix
from archfix.project import ModuleIndex


def project_packages(index: ModuleIndex) -> set[str]:
    """Top-level names of the project's packages (a lone script's name is not a package).

    A folder without ``__init__.py`` (``src``, ``alembic``) counts only when the project imports
    one of its modules by that name: an installed package of the same name always wins over it
    (``alembic/env.py`` does not make ``from alembic.runtime import ...`` a project import).
    """
    tops = {
        info.name.split(".")[0]
        for info in index.unique_modules()
        if info.is_package or "." in info.name
    }
    namespaces = {top for top in tops if index.get(top) is None}
    if not namespaces:
        return tops
    used: set[str] = set()
    for info in index.unique_modules():
        for rec in info.imports:
            top = rec.module.split(".")[0]
            if top in namespaces and top not in used:
                full = f"{rec.module}.{rec.name}" if rec.name else rec.module
                if index.get(rec.module) is not None or index.get(full) is not None:
                    used.add(top)
    return tops - (namespaces - used)


def module_missing(index: ModuleIndex, module: str) -> bool:
    """True when ``module`` is under a project package but nothing on disk provides it."""
    if index.get(module) is not None:
        return False
    parts = module.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        parent = index.get(prefix)
        if parent is None:
            folder = index.namespace_folder(prefix)
            if folder is None:
                continue
        elif parent.aliased or (parent.dynamic and _may_add_submodules(parent.path)):
            return False  # its __path__ or sys.modules may bring submodules from elsewhere
        elif not parent.is_package:
            return True  # a plain module has no submodules
        else:
            folder = parent.path.parent
        # What the index does not list may still be on disk (an extension module, a stub, an
        # excluded file, a folder without __init__.py): follow the rest of the name there.
        return not module_on_disk(folder, parts[cut:])
    return False


def _may_add_submodules(path: Path) -> bool:
    """Whether a package that makes names at run time could also make submodules: only by
    extending ``__path__`` or writing ``sys.modules`` (a ``try`` around a version lookup, a
    ``__getattr__`` or a star import provide names, never ``import pkg.sub``)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "__path__" in text or "sys.modules" in text or "modules[" in text


class UnresolvedImport(ProjectCodemod):
    id = "unresolved-import"
    title = "Import only project modules and names that exist"
    section = "2.1 Import/Module Issues"
    fixable = Fix.NONE
    priority = 92

    def run(self) -> None:
        index = self.ctx.project.index
        packages = project_packages(index)
        for info in index.unique_modules():
            reported: set[tuple[int, str]] = set()
            for rec in info.imports:
                if rec.in_try or rec.type_checking or not rec.module or rec.name == "*":
                    continue  # guarded or never run: it cannot fail when the module loads
                if rec.module.split(".")[0] not in packages:
                    continue
                message = self._problem(index, rec.module, rec.name)
                if message and (rec.line, message) not in reported:
                    reported.add((rec.line, message))
                    self.ctx.report(info.path, rec.line, rec.col, message)

    @staticmethod
    def _problem(index: ModuleIndex, module: str, name: str | None) -> str | None:
        if module_missing(index, module):
            return f"module {module} does not exist in the project"
        target = index.get(module)
        if name is None or target is None:
            return None
        if target.provides(name) or index.is_submodule(module, name):
            return None
        if submodule_on_disk(target, name) or index.definers(name):
            return None
        return f"{module} does not define {name}, and no project module does"
