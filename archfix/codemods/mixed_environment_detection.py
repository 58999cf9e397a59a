"""A service that decides "are we in production?" in several ways decides it inconsistently.

When one module reads ``settings.ENVIRONMENT``, another ``settings.PRODUCTION`` and a third
``os.getenv("ENVIRONMENT")``, the answers drift apart: ``.env`` files and settings defaults feed the
settings object but not ``os.getenv``, and a deployment that sets ``PRODUCTION=true`` but not
``ENVIRONMENT`` is production to half of the code (review section 4.2). This rule lists every site,
with the other styles in use, whenever the project uses more than one.

A property or method of the settings class derived from one environment field (``is_production``
returning ``self.environment == "production"``) is that field, not a second source. A value that is
only shown (a dict literal's value such as a ``/health`` JSON body, an f-string, a ``print`` or
logging argument) decides nothing and is not a site.

Fix (unsafe): a direct read of an environment variable that is a ``str`` field of the project's
pydantic ``BaseSettings`` object (``os.getenv("X")``, ``os.environ.get("X")``, ``os.environ["X"]``)
becomes ``settings.X``, importing the settings instance where the module does not have it yet (in the
file's absolute or relative import style). It is unsafe because the result can differ: the settings
field has its own default (``os.getenv("X", "dev")`` may have had another), reads ``.env`` files, and
never raises ``KeyError``. Modules that the settings module imports (directly or not) are never
rewritten, since the new import would close an import cycle; fields with an alias or a non-``str`` type
(``os.getenv("PRODUCTION") == "true"`` is not ``settings.PRODUCTION == "true"``) are only reported.

Example::

    DEBUG = os.getenv("ENVIRONMENT", "development") != "production"
    # becomes (with ``from app.core.config import settings`` added)
    DEBUG = settings.ENVIRONMENT != "production"
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import libcst as cst
from libcst.metadata import CodeRange

from archfix.codemods._cst import code_of
from archfix.codemods._walk import dotted
from archfix.codemods.base import ProjectCodemod, file_suppresses
from archfix.config import Option
from archfix.models import Fix
from archfix.positions import positions_of
from archfix.project import Project, resolve_relative

# --- the project's settings objects (shared with cors-wildcard) --------------------------------


@dataclass
class SettingsField:
    """One field of a settings class, as written."""

    name: str
    annotation: str
    default: ast.expr | None
    line: int
    aliased: bool
    """True when an alias decides the environment variable's name (the rule cannot be sure)."""


@dataclass
class SettingsModel:
    """A pydantic BaseSettings subclass, where it lives and its module-level instances."""

    module: str
    path: Path
    name: str
    fields: dict[str, SettingsField] = field(default_factory=dict)
    instances: list[str] = field(default_factory=list)
    case_sensitive: bool = False
    env_prefix: str = ""
    derived: dict[str, set[str]] = field(default_factory=dict)
    """Methods and properties (``is_production``) -> the attributes they read on ``self``."""

    def field_for_env(self, variable: str) -> SettingsField | None:
        """The field that the environment variable ``variable`` populates, if any."""
        if not variable.startswith(self.env_prefix) and not (
            not self.case_sensitive and variable.lower().startswith(self.env_prefix.lower())
        ):
            return None
        name = variable[len(self.env_prefix) :]
        if name in self.fields:
            return self.fields[name]
        if not self.case_sensitive:
            for fname, f in self.fields.items():
                if fname.lower() == name.lower():
                    return f
        return None


def source_of(project: Project, path: Path) -> str | None:
    """The current text of ``path``; worker processes get no texts, so they read the file."""
    text = project.read_text(path)
    if text is not None:
        return text
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _last(node: ast.expr) -> str | None:
    name = dotted(node)
    return name.rsplit(".", 1)[-1] if name else None


def _config_values(node: ast.expr | None) -> dict[str, ast.expr]:
    """Keyword values of ``SettingsConfigDict(...)``/``dict(...)`` or a dict literal."""
    if isinstance(node, ast.Call):
        return {k.arg: k.value for k in node.keywords if k.arg}
    if isinstance(node, ast.Dict):
        return {
            k.value: v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
    return {}


def _annotated_field(annotation: ast.expr) -> ast.Call | None:
    """The ``Field(...)`` in ``Annotated[list[str], Field(default=["*"])]``, if any."""
    if not (isinstance(annotation, ast.Subscript) and _last(annotation.value) == "Annotated"):
        return None
    extras = annotation.slice.elts[1:] if isinstance(annotation.slice, ast.Tuple) else []
    return next((e for e in extras if isinstance(e, ast.Call) and _last(e.func) == "Field"), None)


def _field(stmt: ast.AnnAssign, name: str) -> SettingsField:
    value = stmt.value
    if value is None:
        value = _annotated_field(stmt.annotation)  # pydantic v2: the default in the metadata
    aliased = False
    default: ast.expr | None = value
    if isinstance(value, ast.Call) and _last(value.func) == "Field":
        kw = {k.arg: k.value for k in value.keywords if k.arg}
        aliased = bool({"alias", "validation_alias", "env"} & kw.keys())
        default = kw.get("default", value.args[0] if value.args else None)
        factory = kw.get("default_factory")
        if isinstance(factory, ast.Lambda):
            default = factory.body
    return SettingsField(name, ast.unparse(stmt.annotation), default, stmt.lineno, aliased)


def _models_in(module: str, path: Path, tree: ast.Module, bases: set[str]) -> list[SettingsModel]:
    models: list[SettingsModel] = []
    known = set(bases)
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        if not any(_last(b) in known for b in stmt.bases):
            continue
        known.add(stmt.name)
        model = SettingsModel(module, path, stmt.name)
        for item in stmt.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = [*item.args.posonlyargs, *item.args.args]
                if params:
                    me = params[0].arg
                    model.derived[item.name] = {
                        n.attr
                        for n in ast.walk(item)
                        if isinstance(n, ast.Attribute)
                        and isinstance(n.value, ast.Name)
                        and n.value.id == me
                    }
                continue
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                name = item.target.id
                if name == "model_config":
                    options = _config_values(item.value)
                elif "ClassVar" in ast.unparse(item.annotation):
                    continue
                else:
                    model.fields[name] = _field(item, name)
                    continue
            elif (
                isinstance(item, ast.Assign)
                and len(item.targets) == 1
                and isinstance(item.targets[0], ast.Name)
                and item.targets[0].id == "model_config"
            ):
                options = _config_values(item.value)
            elif isinstance(item, ast.ClassDef) and item.name == "Config":
                options = {
                    t.id: s.value
                    for s in item.body
                    if isinstance(s, ast.Assign)
                    for t in s.targets
                    if isinstance(t, ast.Name)
                }
            else:
                continue
            sensitive = options.get("case_sensitive")
            if isinstance(sensitive, ast.Constant):
                model.case_sensitive = bool(sensitive.value)
            prefix = options.get("env_prefix")
            if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str):
                model.env_prefix = prefix.value
        models.append(model)
    by_name = {m.name: m for m in models}
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(value, ast.Call) or _last(value.func) not in by_name:
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[union-attr]
        for t in targets:
            if isinstance(t, ast.Name):
                by_name[_last(value.func) or ""].instances.append(t.id)
    return models


_SETTINGS_CACHE: dict[int, tuple[object, list[SettingsModel]]] = {}


def find_settings(
    project: Project, bases: tuple[str, ...] = ("BaseSettings",)
) -> list[SettingsModel]:
    """Every BaseSettings subclass in the project (cached per index: the index is per run)."""
    key = id(project.index)
    cached = _SETTINGS_CACHE.get(key)
    if cached is not None and cached[0] is project.index:
        return cached[1]
    found: list[SettingsModel] = []
    for info in project.index.unique_modules():
        text = source_of(project, info.path)
        if text is None or not any(b in text for b in bases):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        found.extend(_models_in(info.name, info.path, tree, set(bases)))
    _SETTINGS_CACHE.clear()
    _SETTINGS_CACHE[key] = (project.index, found)
    return found


_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)
"""The nodes on the way to a statement: expressions never hold one."""


def _statements_breadth_first(tree: ast.Module) -> Iterator[ast.AST]:
    """The statements of ``tree`` (and the handlers and cases between them) in ``ast.walk``'s
    order: leaving out whole expression subtrees keeps the others' breadth-first order, and
    skips most of the nodes."""
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        todo.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, _STATEMENT_HOLDERS))
        yield node


def import_bindings(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> qualified name for every import in the file (``os.environ``, ``app.x.settings``)."""
    names: dict[str, str] = {}
    # In ast.walk's order: a later import of the same name wins, as before.
    for node in _statements_breadth_first(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(node.module, node.level, module, is_package)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = (
                        f"{base}.{alias.name}" if base else alias.name
                    )
    return names


def qualified(node: ast.expr, bindings: dict[str, str]) -> str | None:
    """The qualified name of a dotted expression, through the file's imports."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head not in bindings:
        return None
    base = bindings[head]
    return f"{base}.{rest}" if rest else base


def through_reexports(project: Project, qualified: str) -> str:
    """Follow ``from .config import settings`` re-exports (a package __init__) to the definer."""
    for _ in range(5):
        module, _, name = qualified.rpartition(".")
        info = project.index.get(module)
        if info is None or name in info.defines:
            return qualified
        record = next(
            (r for r in info.imports if r.module_level and (r.asname or r.name) == name), None
        )
        if record is None or record.name is None:
            return qualified
        qualified = f"{record.module}.{record.name}"
    return qualified


# --- this rule ---------------------------------------------------------------------------------

_ENV_READERS = {"os.getenv": "os.getenv", "os.environ.get": "os.environ.get"}


@dataclass
class Site:
    """One place that decides the environment."""

    path: Path
    line: int
    col: int
    style: str
    """How it is written, e.g. ``settings.ENVIRONMENT`` or ``os.getenv("ENVIRONMENT")``."""
    variable: str | None = None
    """For direct environment reads: the variable's name."""
    end: tuple[int, int] | None = None


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    """ast columns are UTF-8 byte offsets; libcst positions are characters."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function or comprehension's own code (not of the scopes nested in it)."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stack: list[ast.AST] = list(scope.body)
    elif isinstance(scope, ast.Lambda):
        stack = [scope.body]
    else:
        stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (*_SCOPES, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _bound_in(scope: ast.AST) -> set[str]:
    """Names a function or comprehension binds itself: parameters, assignment and loop targets,
    imports, nested definitions, ``with``/``except`` names; less those it declares ``global``."""
    names: set[str] = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                names.add(arg.arg)
    declared_global: set[str] = set()
    for node in _own_nodes(scope):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.partition(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
    return names - declared_global


def _function_locals(tree: ast.Module) -> set[int]:
    """ids of the Name nodes, inside functions, lambdas and comprehensions, whose name a scope
    around them binds: they read a local variable, never the module's ``settings``."""
    out: set[int] = set()
    stack: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    while stack:  # not recursive: long operator chains nest deeper than the recursion limit
        node, local = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                stack.append((child, local | _bound_in(child)))
                continue
            if isinstance(child, ast.Name) and child.id in local:
                out.add(id(child))
            stack.append((child, local))
    return out


_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg"}
)


def _is_output_call(call: ast.Call) -> bool:
    """``print(...)`` or a logger's ``info``/``warning``/... (``logger``, ``log``, ``logging``,
    ``self.logger``): what they are given is shown, not decided on."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    if isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS:
        receiver = (dotted(func.value) or "").rsplit(".", 1)[-1].lower()
        return "log" in receiver
    return False


def _shown_only(tree: ast.Module) -> set[int]:
    """ids of the expressions whose value is only shown: a dict literal's values (a JSON body
    such as ``{"environment": settings.ENVIRONMENT}``), f-string interpolations, and the
    arguments of ``print`` and logging calls. A read there decides nothing."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            out.update(id(v) for v in node.values)
        elif isinstance(node, ast.FormattedValue):
            out.add(id(node.value))
        elif isinstance(node, ast.Call) and _is_output_call(node):
            out.update(id(a) for a in node.args)
            out.update(id(k.value) for k in node.keywords)
    return out


def _source_field(model: SettingsModel | None, attr: str, names: set[str]) -> str:
    """The settings field that ``attr`` stands for: itself, or, for a property or method of the
    settings class derived from one environment field (``is_production`` returning
    ``self.environment == "production"``), that field: it is the same source."""
    if model is None or attr in model.fields or attr not in model.derived:
        return attr
    read = {
        f for f in model.derived[attr] if f in model.fields and f.upper() in names and f != attr
    }
    return read.pop() if len(read) == 1 else attr


class MixedEnvironmentDetection(ProjectCodemod):
    """List every way the project decides its environment when it uses more than one."""

    id = "mixed-environment-detection"
    title = "Decide the environment in one way (the settings object)"
    section = "4.2 Environment Detection"
    fixable = Fix.UNSAFE
    triggers = ("ENV", "PRODUCTION", "environ", "getenv")
    priority = 65
    options: ClassVar = {
        "names": Option(
            "list[str]",
            [
                "ENVIRONMENT",
                "ENV",
                "APP_ENV",
                "APP_ENVIRONMENT",
                "DEPLOYMENT_ENVIRONMENT",
                "PRODUCTION",
                "IS_PRODUCTION",
                "STAGE",
            ],
            "Settings fields and environment variables (case-insensitive) that say which environment runs.",
        ),
        "settings-bases": Option(
            "list[str]", ["BaseSettings"], "Base classes of settings classes (last name part)."
        ),
    }

    def run(self) -> None:
        project = self.ctx.project
        names = {n.upper() for n in self.ctx.options.get("names", [])}
        bases = tuple(self.ctx.options.get("settings-bases", ["BaseSettings"]))
        models = find_settings(project, bases)
        needles = {n.lower() for n in names} | {"environ", "getenv"}
        instances = {f"{m.module}.{i}": m for m in models for i in m.instances}
        sites: list[Site] = []
        for info in project.index.unique_modules():
            text = project.read_text(info.path)
            if text is None or not any(n in text.lower() for n in needles):
                continue
            if file_suppresses(text, self.id):
                continue
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError):
                continue
            sites.extend(self._sites(info.path, info.name, info.is_package, tree, names, instances))
        styles: dict[str, list[Site]] = {}
        for site in sites:
            styles.setdefault(site.style, []).append(site)
        if len(styles) < 2:
            return
        rewrites: dict[Path, list[tuple[Site, SettingsModel, str]]] = {}
        for site in sites:
            others = "; ".join(
                f"{style} ({self._where(group[0])}{'' if len(group) == 1 else f' and {len(group) - 1} more'})"
                for style, group in styles.items()
                if style != site.style
            )
            message = (
                f"the environment is decided with {site.style} here, and elsewhere with: {others}"
            )
            target = self._rewrite_target(site, models) if site.variable else None
            if site.variable is None:
                self.ctx.report(
                    site.path,
                    site.line,
                    site.col,
                    f"{message}; use one source (the settings object)",
                )
                continue
            if isinstance(target, str):
                self.ctx.report(
                    site.path, site.line, site.col, f"{message}; not rewritten: {target}"
                )
                continue
            model, fname = target
            if self.ctx.report(
                site.path,
                site.line,
                site.col,
                f"{message}; read {model.instances[0]}.{fname} instead (its default and .env handling may differ)",
                fix=Fix.UNSAFE,
            ):
                rewrites.setdefault(site.path, []).append((site, model, fname))
        for path, items in rewrites.items():
            new_text = _rewrite(project, path, items)
            if new_text is not None:
                self.ctx.edit(path, new_text)

    def _where(self, site: Site) -> str:
        try:
            rel = site.path.relative_to(self.ctx.project.root).as_posix()
        except ValueError:
            rel = str(site.path)
        return f"{rel}:{site.line}"

    def _sites(
        self,
        path: Path,
        module: str,
        is_package: bool,
        tree: ast.Module,
        names: set[str],
        instances: dict[str, SettingsModel],
    ) -> Iterator[Site]:
        bindings = import_bindings(tree, module, is_package)
        local_instances = {i for m in instances.values() if m.module == module for i in m.instances}
        shadowed: set[int] | None = None
        """ids of the Name nodes that read a function's own variable (computed on first need)."""
        shown = _shown_only(tree)
        for node in ast.walk(tree):
            if id(node) in shown:
                continue
            if (
                isinstance(node, ast.Call)
                and node.args
                and not isinstance(node.args[0], ast.Starred)
            ):
                reader = qualified(node.func, bindings)
                arg = node.args[0]
                if (
                    reader in _ENV_READERS
                    and isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                ) and arg.value.upper() in names:
                    yield Site(
                        path,
                        node.lineno,
                        node.col_offset + 1,
                        f'{reader}("{arg.value}")',
                        arg.value,
                        (node.end_lineno or node.lineno, node.end_col_offset or 0),
                    )
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                key = node.slice
                if (
                    qualified(node.value, bindings) == "os.environ"
                    and isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and key.value.upper() in names
                ):
                    yield Site(
                        path,
                        node.lineno,
                        node.col_offset + 1,
                        f'os.environ["{key.value}"]',
                        key.value,
                        (node.end_lineno or node.lineno, node.end_col_offset or 0),
                    )
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                if node.attr.upper() not in names:
                    continue
                receiver = node.value
                base = receiver
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name):
                    if shadowed is None:
                        shadowed = _function_locals(tree)
                    if id(base) in shadowed:
                        continue  # a parameter or local variable (settings = self.get_settings())
                owner = qualified(receiver, bindings)
                if owner is not None:
                    owner = through_reexports(self.ctx.project, owner)
                is_settings = (owner is not None and owner in instances) or (
                    isinstance(receiver, ast.Name)
                    and (
                        receiver.id in local_instances
                        or (not instances and receiver.id == "settings")
                    )
                )
                if is_settings:
                    label = (dotted(receiver) or "settings").rsplit(".", 1)[-1]
                    model = instances.get(owner) if owner is not None else None
                    if model is None and isinstance(receiver, ast.Name):
                        model = next(
                            (
                                m
                                for m in instances.values()
                                if m.module == module and receiver.id in m.instances
                            ),
                            None,
                        )
                    yield Site(
                        path,
                        node.lineno,
                        node.col_offset + 1,
                        f"{label}.{_source_field(model, node.attr, names)}",
                    )

    def _rewrite_target(
        self, site: Site, models: list[SettingsModel]
    ) -> tuple[SettingsModel, str] | str:
        """The settings field to read instead, or why there is none."""
        project = self.ctx.project
        assert site.variable is not None
        candidates = [(m, m.field_for_env(site.variable)) for m in models if m.instances]
        candidates = [(m, f) for m, f in candidates if f is not None]
        if not candidates:
            return f"no settings field is read from {site.variable}"
        if len(candidates) > 1:
            return f"several settings classes read {site.variable}"
        model, fld = candidates[0]
        assert fld is not None
        if fld.aliased:
            return f"{model.name}.{fld.name} has an alias"
        annotation = fld.annotation.replace(" ", "")
        if not (
            annotation in {"str", "str|None", "None|str", "Optional[str]", "typing.Optional[str]"}
            or annotation.startswith(("Literal[", "typing.Literal["))
        ):
            return (
                f"{model.name}.{fld.name} is {fld.annotation}, not str, so comparisons would change"
            )
        module = project.module_name(site.path)
        if module is None or module == model.module:
            return "this is the settings module itself"
        if module in _closure(project, model.module):
            return f"{model.module} imports this module (directly or not), so importing settings here would close a cycle"
        return model, fld.name


def _closure(project: Project, start: str) -> set[str]:
    """Project modules that importing ``start`` executes (module-level, run-time imports)."""
    seen = {start}
    stack = [start]
    while stack:
        info = project.index.get(stack.pop())
        if info is None:
            continue
        for rec in info.imports:
            if not rec.module_level or rec.type_checking:
                continue
            targets = [rec.module]
            if rec.name is not None:
                targets.append(f"{rec.module}.{rec.name}")
            parts = rec.module.split(".")
            targets.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
            for target in targets:
                if target in project.index.modules and target not in seen:
                    seen.add(target)
                    stack.append(target)
    return seen


def _rewrite(
    project: Project, path: Path, items: list[tuple[Site, SettingsModel, str]]
) -> str | None:
    text = project.read_text(path)
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    info = project.index.module_at(path)
    if info is None:
        return None
    model = items[0][1]
    if any(m is not model for _, m, _ in items):
        return None
    bindings = import_bindings(tree, info.name, info.is_package)
    wanted = {f"{model.module}.{i}" for i in model.instances}
    local = next((name for name, q in bindings.items() if q in wanted), None)
    needs_import = local is None
    if local is None:
        local = model.instances[0]
        if local in info.defines or local in info.reexports or _binds_anywhere(tree, local):
            return None  # the name means something else here
    lines = text.splitlines()
    spans = {(s.line, _char_col(lines, s.line, s.col - 1)): fname for s, _, fname in items}
    module = cst.parse_module(text)
    new_module = module.visit(_EnvReadRewriter(spans, local, positions_of(module)))
    if needs_import:
        relative = any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(tree))
        new_module = _add_import(
            new_module, _import_line(info.name, info.is_package, model, relative)
        )
    return _without_unused_os_imports(new_module, tree).code


def _without_unused_os_imports(module: cst.Module, before: ast.Module) -> cst.Module:
    """Drop ``import os`` / ``from os import getenv`` that only the rewritten reads used.

    Only imports that were used before the rewrite are candidates, so an import the author left
    unused on purpose (a re-export) is not this rule's business.
    """
    used = {n.id for n in ast.walk(before) if isinstance(n, ast.Name)}
    # libcst.codemod pulls in libcst.matchers (0.2 s): only import it when a fix needs it.
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    context = CodemodContext()
    requested = False
    for stmt in before.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "os" and (alias.asname or "os") in used:
                    RemoveImportsVisitor.remove_unused_import(context, "os", asname=alias.asname)
                    requested = True
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "os" and stmt.level == 0:
            for alias in stmt.names:
                if (alias.asname or alias.name) in used:
                    RemoveImportsVisitor.remove_unused_import(
                        context, "os", alias.name, alias.asname
                    )
                    requested = True
    if not requested:
        return module
    return RemoveImportsVisitor(context).transform_module(module)


def _binds_anywhere(tree: ast.Module, name: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.name == name
        ):
            return True
    return False


def _import_line(module: str, is_package: bool, model: SettingsModel, relative: bool) -> str:
    instance = model.instances[0]
    if not relative:
        return f"from {model.module} import {instance}\n"
    here = module.split(".") if is_package else module.split(".")[:-1]
    target = model.module.split(".")
    common = 0
    while common < min(len(here), len(target)) and here[common] == target[common]:
        common += 1
    if common == 0:
        return f"from {model.module} import {instance}\n"
    dots = "." * (len(here) - common + 1)
    rest = ".".join(target[common:])
    return f"from {dots}{rest} import {instance}\n"


def _from_key(node: cst.ImportFrom) -> str:
    dots = "." * len(node.relative)
    name = code_of(node.module) if node.module is not None else ""
    return f"{dots}{name}"


def _add_import(module: cst.Module, line: str) -> cst.Module:
    """Insert the import where isort would: among the file's ``from`` imports of the same
    package, in order; else after the last top-level import (or the docstring)."""
    stmt = cst.parse_statement(line)
    assert isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.ImportFrom)
    key = _from_key(stmt.body[0])
    package = key.lstrip(".").split(".")[0] if not key.startswith(".") else "."
    body = list(module.body)
    index = 0
    siblings: list[tuple[int, str]] = []
    for i, node in enumerate(body):
        if isinstance(node, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in node.body
        ):
            index = i + 1
            first = node.body[0]
            if isinstance(first, cst.ImportFrom):
                other = _from_key(first)
                other_package = other.split(".")[0] if not other.startswith(".") else "."
                if other_package == package:
                    siblings.append((i, other))
        elif (
            i == 0
            and isinstance(node, cst.SimpleStatementLine)
            and isinstance(node.body[0], cst.Expr)
            and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            index = 1
    if siblings:
        later = [i for i, other in siblings if other > key]
        index = later[0] if later else siblings[-1][0] + 1
        if later:
            # Take over the blank lines/comments above the statement it now precedes.
            target = body[index]
            stmt = stmt.with_changes(leading_lines=target.leading_lines)
            body[index] = target.with_changes(leading_lines=[])
    body.insert(index, stmt)
    return module.with_changes(body=body)


class _EnvReadRewriter(cst.CSTTransformer):
    """Replaces the environment reads at the given (line, column) positions with ``settings.X``."""

    def __init__(
        self,
        spans: dict[tuple[int, int], str],
        local: str,
        positions: Mapping[cst.CSTNode, CodeRange],
    ) -> None:
        super().__init__()
        self.spans = spans
        self.local = local
        self.positions = positions
        """The visited tree's positions (archfix.positions: libcst's, computed more cheaply)."""

    def _replacement(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        pos = self.positions.get(node)
        if pos is None:
            return None
        fname = self.spans.get((pos.start.line, pos.start.column))
        if fname is None:
            return None
        return cst.Attribute(value=cst.Name(self.local), attr=cst.Name(fname))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        new = self._replacement(original_node)
        if new is None:
            return updated_node
        return new.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        new = self._replacement(original_node)
        if new is None:
            return updated_node
        return new.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
