"""Competing entry points (main.py, main_minimal.py, ...) drift apart and nobody knows which one runs.

Each variant builds its own app with its own middleware, routes and start-up, so a fix made in one
is missing in the others and a deployment's behaviour depends on which file its command names
(review sections 1, 9 and 10: one main.py driven by environment configuration and feature flags).

Fix (safe, verified): the family ``main.py`` + ``main_*.py`` in one package (option ``globs``,
canonical file ``canonical``) is merged into the canonical module as ``create_app(profile=None)``.
The profile is the variant's suffix (``main_minimal.py`` -> ``minimal``; the canonical file is
``canonical-profile``, default ``full``), chosen by the argument or ``APP_PROFILE``. Statements all
variants share run unconditionally; app-building statements only some variants have run behind a
feature flag named after what they register (reusing ``ENABLE_*`` fields of the project's settings
class when the words match), on by default in the profiles that had them and overridable with
``ENABLE_<FEATURE>=true|false`` (a registration that differs only in keyword values is one block
whose values are picked per profile); differing constructor arguments become per-profile values; imports
only some profiles need move into the blocks that use them, so building a small profile does not
import the modules of a big one. Module-level ``app`` stays available (built on first access), and
every other variant becomes a shim calling ``create_app("<profile>")`` (``remove-variants = true``
deletes them instead).

Router loops (module-level rows of ``(module, prefix, tags)``, ``importlib.import_module`` and
``include_router`` inside ``try/except``) in two or more variants become one loader,
``_include_routers(app, ROUTER_MODULES[profile])``: an optional router that fails to import is logged
with its traceback and skipped (the incremental variant's behaviour), one listed in
``required-routers`` (or silent-route-import's) re-raises. A loop it does not recognise, or one whose
import errors stopped the app, leaves every loop as it was and the finding says so.

Safety: before anything is written, each original variant and each merged module is imported in a
subprocess (``--python``; environment from ``verify-env``) and their route tables, middleware stacks
and constructor settings are compared; any difference, or a failure to import, is reported and
nothing changes (``--no-verify`` skips this). Variants the model cannot merge with confidence —
module-level side effects only some have, names defined differently, ``global`` statements, other
modules importing names from a variant — are reported, not rewritten. The verification imports the
target's code: the one documented exception to "rules never execute the target". A project whose
settings need secrets to import sets them with ``verify-env = {JWT_SECRET_KEY = "dummy"}``.

Example::

    # main.py                                   # main_minimal.py
    app = FastAPI(title="API")                  app = FastAPI(title="API (minimal)")
    app.add_middleware(GZipMiddleware)          app.include_router(health.router)
    app.include_router(health.router)

    # after: main.py
    PROFILES = {"full": {"title": "API"}, "minimal": {"title": "API (minimal)"}}
    FEATURE_FLAGS = {"ENABLE_G_ZIP": ("full",)}

    def create_app(profile=None):
        ...
        app = FastAPI(**PROFILES[profile])
        if flags["ENABLE_G_ZIP"]:
            app.add_middleware(GZipMiddleware)
        app.include_router(health.router)
        return app

    # after: main_minimal.py
    from app.main import create_app
    app = create_app("minimal")
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Callable
from pathlib import Path

from archfix.codemods._generated import black_line_length
from archfix.codemods.base import ProjectCodemod
from archfix.config import Option
from archfix.merge import build
from archfix.merge.model import (
    MergeError,
    Variant,
    builds_app,
    parsed,
    read_variant,
    served_routes,
)
from archfix.merge.verify import (
    Target,
    VerifyError,
    base_env,
    differences,
    dump_before_after,
)
from archfix.models import Fix


def settings_flags(texts: dict[Path, str]) -> list[str]:
    """``ENABLE_*`` fields declared on settings classes anywhere in the project."""
    found: list[str] = []
    for text in texts.values():
        if "ENABLE_" not in text or "Settings" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in node.bases]
            if not any(b.endswith("Settings") for b in bases):
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.target.id.startswith("ENABLE_")
                    and stmt.target.id not in found
                ):
                    found.append(stmt.target.id)
    return found


def _is_test(path: Path, text: str) -> bool:
    """A test module that builds an app of its own (``main_test.py``, ``test_*`` functions,
    ``TestClient``, pytest): pytest collects it, so it is no deployment profile to merge."""
    if path.stem.endswith("_test") or path.stem.startswith("test_"):
        return True
    if "TestClient" in text or "pytest" in text:
        return True
    tree = parsed(text)
    return tree is not None and any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name.startswith("test_")
        for stmt in tree.body
    )


class MergeEntrypoints(ProjectCodemod):
    """Merge main.py and its main_*.py siblings into one create_app(profile) entry point."""

    id = "merge-entrypoints"
    title = "Merge competing entry points into one flag-driven create_app()"
    section = "1. Main Entry Points Analysis"
    fixable = Fix.SAFE
    triggers = ()
    priority = 200
    options = {
        "globs": Option("list[str]", ["main_*.py"], "File names of the variants (siblings)."),
        "canonical": Option("str", "main.py", "File name of the canonical entry module."),
        "canonical-profile": Option("str", "full", "Profile name of the canonical module."),
        "remove-variants": Option("bool", False, "Delete the variants instead of leaving shims."),
        "app-classes": Option("list[str]", ["FastAPI", "Starlette"], "App constructors."),
        "required-routers": Option(
            "list[str]",
            [],
            "Routers of a unified router loader that must load (module or short names); "
            "silent-route-import's required-routers count too.",
        ),
        "verify-env": Option(
            "dict[str,str]", {}, "Environment for the verification imports (dummy secrets)."
        ),
    }

    def run(self) -> None:
        project = self.ctx.project
        canonical_name = self.ctx.options["canonical"]
        for path in sorted(project.texts):
            if path.name == canonical_name:
                self._family(path)

    # -- one family -------------------------------------------------------------------------

    def _family(self, canonical: Path) -> None:
        project = self.ctx.project
        opts = self.ctx.options
        app_classes = set(opts["app-classes"])
        stem = canonical.stem
        members = [canonical]
        for path in sorted(project.texts):
            if (
                path.parent == canonical.parent
                and path != canonical
                and any(fnmatch.fnmatch(path.name, g) for g in opts["globs"])
            ):
                members.append(path)
        members = [
            p
            for p in members
            if builds_app(project.texts[p], app_classes) and not _is_test(p, project.texts[p])
        ]
        # A module that serves nothing the canonical one serves is another service sharing the
        # folder (a worker's health sidecar), not a variant of this one.
        own = served_routes(project.texts[canonical], app_classes)
        members = [
            p
            for p in members
            if p == canonical
            or not own
            or not (theirs := served_routes(project.texts[p], app_classes))
            or own & theirs
        ]
        if len(members) < 2 or members[0] != canonical:
            return
        names = ", ".join(p.name for p in members)
        try:
            variants, app_names = self._read(members, stem)
            self._check_importers(variants, members, app_names[0])
            required = [
                *opts["required-routers"],
                *project.config.options_for("silent-route-import").get("required-routers", []),
            ]
            the_plan = build.plan(variants, app_names, settings_flags(project.texts), required)
        except MergeError as exc:
            self.ctx.report(canonical, 1, 1, f"competing entry points ({names}); not merged: {exc}")
            return
        message = (
            f"competing entry points ({names}): merge them into one {canonical.name} create_app() with "
            f"profiles {', '.join(v.profile for v in variants)}"
            + (f" and flags {', '.join(the_plan.flags)}" if the_plan.flags else "")
            + (
                "; the router loops become one loader (optional routers: logged and skipped; "
                "required: re-raised)"
                if the_plan.loader
                else ""
            )
            + "".join(f"; {note}" for note in the_plan.notes)
        )
        if not self.ctx.reporter.policy.allows(Fix.SAFE):
            self.ctx.report(canonical, 1, 1, message, fix=Fix.SAFE)
            return
        canonical_module = variants[0].module
        rendered: list[str] = []

        def edits() -> dict[Path, str | None]:
            # Rendered on first use: black takes ~0.15 s per merged module, and neither a report
            # nor a verification that fails on the original apps needs the text.
            if not rendered:
                rendered.append(build.render(the_plan, black_line_length(self.ctx.project.root)))
            out: dict[Path, str | None] = {canonical: rendered[0]}
            for path, variant in zip(members[1:], variants[1:], strict=True):
                out[path] = (
                    None
                    if opts["remove-variants"]
                    else build.shim(variant, canonical_module, the_plan.app_name)
                )
            return out

        if self.ctx.verify:
            problem = self._verify(members, variants, edits, the_plan)
            if problem:
                self.ctx.report(canonical, 1, 1, f"competing entry points ({names}); {problem}")
                return
        if self.ctx.report(canonical, 1, 1, message, fix=Fix.SAFE):
            for path, text in edits().items():
                if text is None:
                    self.ctx.delete(path)
                else:
                    self.ctx.edit(path, text)

    def _read(self, members: list[Path], stem: str) -> tuple[list[Variant], list[str]]:
        project = self.ctx.project
        variants: list[Variant] = []
        app_names: list[str] = []
        for i, path in enumerate(members):
            module = project.module_name(path)
            if not module:
                raise MergeError(f"{path.name} is not importable as a module")
            profile = (
                self.ctx.options["canonical-profile"]
                if i == 0
                else path.stem.removeprefix(stem + "_")
            )
            if not profile.isidentifier():
                raise MergeError(f"{path.name}: profile name {profile!r} is not an identifier")
            app_name, variant = read_variant(
                project.texts[path],
                profile,
                path.name,
                module,
                set(self.ctx.options["app-classes"]),
            )
            variants.append(variant)
            app_names.append(app_name)
        if len({v.profile for v in variants}) != len(variants):
            raise MergeError("two variants map to the same profile name")
        return variants, app_names

    def _check_importers(self, variants: list[Variant], members: list[Path], app_name: str) -> None:
        """Other modules that import names (other than the app) from a variant would break."""
        modules = {v.module for v in variants}
        for info in self.ctx.project.index.modules.values():
            if info.path in members:
                continue
            for record in info.imports:
                if record.module in modules and record.name not in (None, app_name, "create_app"):
                    raise MergeError(
                        f"{info.name} imports {record.name!r} from {record.module}, which the merge removes"
                    )

    def _verify(
        self,
        members: list[Path],
        variants: list[Variant],
        edits: Callable[[], dict[Path, str | None]],
        the_plan: build.Plan,
    ) -> str | None:
        root = self.ctx.project.root
        targets: list[Target] = []
        for path, variant in zip(members, variants, strict=True):
            depth = len(variant.module.split("."))
            import_root = path.parents[depth - 1].relative_to(root)
            targets.append(Target(variant.module, the_plan.app_name, import_root, path.name))

        def verify_edits() -> dict[Path, str | None]:
            out = edits()
            if self.ctx.options["remove-variants"]:
                # Removed variants are checked through the profile they became.
                for path, variant in zip(members[1:], variants[1:], strict=True):
                    out[path] = build.shim(variant, variants[0].module, the_plan.app_name)
            return out

        env = base_env(list(the_plan.flags), self.ctx.options["verify-env"])
        self.ctx.imports_the_project()
        try:
            before, after = dump_before_after(
                self.ctx.python, root, self.ctx.project.texts, verify_edits, targets, env
            )
        except VerifyError as exc:
            return f"verification could not run ({exc}); not merged (use --no-verify to skip it)"
        problems = []
        for t in targets:
            diff = differences(before[t.label], after[t.label])
            if diff:
                problems.append(f"{t.label}: " + "; ".join(diff))
        if problems:
            return "the merge would change the apps, not applied: " + " | ".join(problems)
        return None
