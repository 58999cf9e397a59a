"""An import of a project module that does not exist, or of a name no project module defines.

Such an import raises ImportError when the module loads, so everything that imports it fails too
(a router that never registers, a service that does not start). Unlike misplaced-import there is no
right module to point at: the name was renamed, deleted, or never written (section 2.1).

Finding only. Only imports under the project's own top-level packages are checked (third-party and
standard-library modules are not the project's to judge); modules that may provide any name (a module
``__getattr__``, a star import, ImportError fallbacks) and imports guarded by ``try/except
ImportError`` are trusted; a name that some project module defines is misplaced-import's case.

Example::

    from app.services.mailer import send_welcome_mail   # app/services/mailer.py does not exist
    from app.core.config import get_settings            # nothing in the project defines it
"""

from __future__ import annotations

from archfix.codemods.base import ProjectCodemod
from archfix.codemods.misplaced_import import submodule_on_disk
from archfix.models import Fix
from archfix.project import ModuleIndex


def project_packages(index: ModuleIndex) -> set[str]:
    """Top-level names of the project's packages (a lone script's name is not a package)."""
    return {
        info.name.split(".")[0]
        for info in index.unique_modules()
        if info.is_package or "." in info.name
    }


def module_missing(index: ModuleIndex, module: str) -> bool:
    """True when ``module`` is under a project package but nothing on disk provides it."""
    if index.get(module) is not None:
        return False
    parts = module.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        parent = index.get(".".join(parts[:cut]))
        if parent is None:
            continue
        return not (parent.dynamic or submodule_on_disk(parent, parts[cut]))
    return False


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
                if rec.in_try or not rec.module or rec.name == "*":
                    continue
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
