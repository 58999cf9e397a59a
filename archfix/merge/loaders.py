"""One router loader for the merged entry point.

Variants often load their feature routers in a loop: a module-level list of ``(module, prefix,
tags)`` rows, ``importlib.import_module`` and ``include_router`` inside ``try/except``. Each variant's
loop handles failures its own way (one logs a warning, another logs the traceback and records what
failed). When at least two variants have such a loop and every one is recognised, the loops become
one statement, ``_include_routers(app, ROUTER_MODULES[profile], ...)``, and the rows become the
per-profile table ``ROUTER_MODULES``. The loader logs an optional router's import error with its
traceback and goes on (what the incremental variant did); a router listed in ``required-routers``
re-raises. Routes and their order stay what each variant had, which verification proves.

Anything else about a loop (other calls, other statements, names used after it, rows that are not
literals) leaves every loop as it is, with a note saying why.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from archfix.merge.model import Stmt, Variant, _names, code_of, key_of

HELPER = "_include_routers"
TABLE = "ROUTER_MODULES"
REQUIRED = "REQUIRED_ROUTERS"
NEEDED = {HELPER, TABLE, REQUIRED, "importlib", "logging"}
_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
_HARMLESS_CALLS = {"type", "str", "repr"}

Row = tuple[str, str, dict[str, str]]
"""(name, module, include_router keyword -> literal code)."""


class NotRecognised(Exception):
    """A router loop this module does not rewrite (the message says why)."""


@dataclass
class Loader:
    """The unified loader: per-profile rows and the names its statement passes."""

    tables: dict[str, list[Row]]
    logger: str | None
    loaded: str | None
    failed: str | None
    required: list[str] = field(default_factory=list)


@dataclass
class _Loop:
    stmt: Stmt
    table: Stmt
    rows: list[Row]
    logger: str | None
    loaded: str | None
    failed: str | None


def _is_loop(stmt: Stmt) -> bool:
    if not isinstance(stmt.node, cst.For):
        return False
    tree = ast.parse(code_of(stmt.node))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    attrs = {n.func.attr for n in calls if isinstance(n.func, ast.Attribute)}
    names = {n.func.id for n in calls if isinstance(n.func, ast.Name)}
    return "include_router" in attrs and bool({"import_module"} & (attrs | names))


def _literal(node: ast.expr, env: dict[str, object]) -> object:
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif (
                isinstance(value, ast.FormattedValue)
                and value.conversion == -1
                and value.format_spec is None
                and isinstance(value.value, ast.Name)
                and value.value.id in env
            ):
                parts.append(str(env[value.value.id]))
            else:
                raise NotRecognised("the module name is not built from the row's values")
        return "".join(parts)
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError) as exc:
        raise NotRecognised(f"{ast.unparse(node)!r} is not a literal or a row value") from exc


def _read_loop(variant: Variant, app_name: str, stmt: Stmt) -> _Loop:
    loop = ast.parse(code_of(stmt.node)).body[0]
    assert isinstance(loop, ast.For)
    if loop.orelse:
        raise NotRecognised("the loop has an else clause")
    if isinstance(loop.target, ast.Name):
        targets = [loop.target.id]
    elif isinstance(loop.target, ast.Tuple) and all(
        isinstance(t, ast.Name) for t in loop.target.elts
    ):
        targets = [t.id for t in loop.target.elts]  # type: ignore[attr-defined]
    else:
        raise NotRecognised("the loop target is not a name or a tuple of names")
    if not isinstance(loop.iter, ast.Name):
        raise NotRecognised("the loop does not iterate over a module-level list")
    table_name = loop.iter.id
    statements = [*variant.before, *variant.after]
    tables = [s for s in statements if table_name in s.binds]
    if len(tables) != 1 or tables[0].kind != "def" or tables[0].binds != {table_name}:
        raise NotRecognised(f"{table_name} is not one module-level list")
    table = tables[0]
    assign = ast.parse(code_of(table.node)).body[0]
    value = getattr(assign, "value", None)
    try:
        raw = ast.literal_eval(value) if value is not None else None
    except (ValueError, SyntaxError, TypeError) as exc:
        raise NotRecognised(f"{table_name} is not a literal list of rows") from exc
    if not isinstance(raw, (list, tuple)):
        raise NotRecognised(f"{table_name} is not a literal list of rows")
    rows_env: list[dict[str, object]] = []
    for row in raw:
        if len(targets) == 1:
            rows_env.append({targets[0]: row})
        elif isinstance(row, (list, tuple)) and len(row) == len(targets):
            rows_env.append(dict(zip(targets, row, strict=True)))
        else:
            raise NotRecognised(f"a row of {table_name} does not match the loop's names")
    # The loop body: only the import, the include, logging and bookkeeping.
    module_var = None
    import_arg: ast.expr | None = None
    include: ast.Call | None = None
    logger = loaded = failed = None
    for node in ast.walk(loop):
        if node is not loop and isinstance(
            node, (ast.While, ast.For, ast.With, ast.If, ast.Return, ast.Break)
        ):
            raise NotRecognised(f"the loop contains a {type(node).__name__.lower()} statement")
        if isinstance(node, (ast.Raise, ast.Global, ast.Nonlocal, ast.Delete)):
            raise NotRecognised(f"the loop contains a {type(node).__name__.lower()} statement")
        if isinstance(node, ast.Assign):
            target = node.targets[0] if len(node.targets) == 1 else None
            if (
                isinstance(target, ast.Name)
                and isinstance(node.value, ast.Call)
                and ast.unparse(node.value.func) in ("importlib.import_module", "import_module")
            ):
                if module_var is not None or len(node.value.args) != 1 or node.value.keywords:
                    raise NotRecognised("the loop imports more than one module per row")
                module_var, import_arg = target.id, node.value.args[0]
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and isinstance(target.slice, ast.Name)
                and target.slice.id == targets[0]
                and failed in (None, target.value.id)
            ):
                failed = target.value.id
            else:
                raise NotRecognised(f"the loop assigns {ast.unparse(node)!r}")
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            raise NotRecognised(f"the loop assigns {ast.unparse(node)!r}")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _HARMLESS_CALLS:
                continue
            if ast.unparse(func) in ("importlib.import_module", "import_module"):
                continue
            if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
                raise NotRecognised(f"the loop calls {ast.unparse(func)}")
            owner, attr = func.value.id, func.attr
            if attr == "include_router" and owner == app_name:
                if include is not None:
                    raise NotRecognised("the loop includes more than one router per row")
                include = node
            elif attr in _LOG_METHODS and logger in (None, owner):
                logger = owner
            elif (
                attr == "append"
                and len(node.args) == 1
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == targets[0]
                and loaded in (None, owner)
            ):
                loaded = owner
            else:
                raise NotRecognised(f"the loop calls {ast.unparse(func)}")
    if module_var is None or import_arg is None or include is None:
        raise NotRecognised("the loop does not import a module and include its router")
    guarded = any(
        isinstance(node, ast.Try)
        and node.handlers
        and any(import_arg in ast.walk(part) for part in node.body)
        for node in ast.walk(loop)
    )
    if not guarded:
        raise NotRecognised(
            "its import errors stop the app, and the loader would log and skip them "
            "(list those routers in required-routers, or wrap the import in try/except)"
        )
    first = include.args[0] if len(include.args) == 1 else None
    if not (
        isinstance(first, ast.Attribute)
        and first.attr == "router"
        and isinstance(first.value, ast.Name)
        and first.value.id == module_var
    ) or any(k.arg is None for k in include.keywords):
        raise NotRecognised("include_router is not given the imported module's router")
    for name in (loaded, failed):
        if name is not None and name not in {
            b for s in statements if s.kind == "def" for b in s.binds
        }:
            raise NotRecognised(f"{name} is not defined at module level")
    rows: list[Row] = []
    for env in rows_env:
        module = _literal(import_arg, env)
        if not isinstance(module, str):
            raise NotRecognised("a module name is not a string")
        options = {k.arg: repr(_literal(k.value, env)) for k in include.keywords if k.arg}
        rows.append((str(env[targets[0]]), module, options))
    # Names the loop binds must not be read after it; the table only by the loop.
    for other in statements:
        if other is stmt:
            continue
        if other is not table and table_name in other.uses:
            raise NotRecognised(f"{table_name} is used outside the loop")
        if other.uses & (stmt.binds - {loaded, failed}):
            raise NotRecognised(
                f"names the loop binds are used after it ({code_of(other.node)[:40]!r})"
            )
    return _Loop(stmt, table, rows, logger, loaded, failed)


def _statement(loader: Loader, app_name: str) -> str:
    args = [app_name, f"{TABLE}[profile]"]
    args += [
        f"{k}={v}"
        for k, v in (
            ("logger", loader.logger),
            ("loaded", loader.loaded),
            ("failed", loader.failed),
        )
        if v
    ]
    return f"{HELPER}({', '.join(args)})\n"


def unify(variants: list[Variant], app_name: str) -> tuple[Loader | None, str | None]:
    """Replace the variants' router loops by one loader statement (in place), or say why not."""
    found: dict[str, _Loop] = {}
    for v in variants:
        loops = [s for s in [*v.before, *v.after] if _is_loop(s)]
        if not loops:
            continue
        if len(loops) > 1:
            return None, f"{v.path_name} has more than one router loop"
        try:
            found[v.profile] = _read_loop(v, app_name, loops[0])
        except NotRecognised as exc:
            return None, f"{v.path_name}'s router loop is not one archfix can rewrite: {exc}"
    if len(found) < 2:
        return None, None
    for attr in ("logger", "loaded", "failed"):
        values = {getattr(loop, attr) for loop in found.values()} - {None}
        if len(values) > 1:
            return None, f"the router loops use different {attr} names: {sorted(values)}"
    for v in variants:
        for s in [*v.before, *v.after]:
            loop = found.get(v.profile)
            if loop is not None and s in (loop.stmt, loop.table):
                continue
            if (s.binds | s.uses) & NEEDED:
                return None, f"{v.path_name} uses a name the router loader needs"
        for item in v.imports:
            if item.bound in ("importlib", "logging") and item.code() != f"import {item.bound}":
                return None, f"{v.path_name} binds {item.bound} to something else"

    def pick(attr: str) -> str | None:
        return next((getattr(lp, attr) for lp in found.values() if getattr(lp, attr)), None)

    loader = Loader(
        {v.profile: (found[v.profile].rows if v.profile in found else []) for v in variants},
        pick("logger"),
        pick("loaded"),
        pick("failed"),
    )
    code = _statement(loader, app_name)
    binds, uses, annotations, _ = _names(code)
    for v in variants:
        loop = found.get(v.profile)
        if loop is None:
            continue
        new = Stmt(
            key_of(code),
            cst.parse_statement(code),
            "app",
            frozenset(binds),
            frozenset(uses),
            frozenset(annotations),
        )
        removed_uses = loop.stmt.uses | loop.table.uses
        for part in ("before", "after"):
            items: list[Stmt] = getattr(v, part)
            setattr(v, part, [new if s is loop.stmt else s for s in items if s is not loop.table])
        still = set(v.ctor.uses).union(
            *[s.uses | s.annotation_names for s in [*v.before, *v.after]]
        )
        v.imports = [i for i in v.imports if i.bound not in removed_uses or i.bound in still]
    return loader, None


def render(loader: Loader, app_class: str) -> list[str]:
    """The module-level lines: the table, the required routers and the loader function."""
    lines = [
        "# Routers loaded by _include_routers(): profile -> (name, module, include_router arguments).",
        f"{TABLE}: dict[str, list[tuple[str, str, dict[str, object]]]] = {{",
    ]
    for profile, rows in loader.tables.items():
        lines.append(f"    {profile!r}: [")
        for name, module, options in rows:
            inner = ", ".join(f"{k!r}: {v}" for k, v in options.items())
            lines.append(f"        ({name!r}, {module!r}, {{{inner}}}),")
        lines.append("    ],")
    lines += [
        "}",
        "",
        "# Routers that must load (by name or module): their import error stops the app.",
        f"{REQUIRED}: tuple[str, ...] = ({''.join(repr(r) + ', ' for r in loader.required)})",
        "",
        "",
        f"def {HELPER}(",
        f"    app: {app_class},",
        "    routers: list[tuple[str, str, dict[str, object]]],",
        "    logger: logging.Logger | None = None,",
        "    loaded: list[str] | None = None,",
        "    failed: dict[str, str] | None = None,",
        ") -> None:",
        '    """Import each router module and include its router, in order.',
        "",
        "    A router that fails to import is logged with its traceback and skipped, so the others",
        "    still load; a router listed in REQUIRED_ROUTERS re-raises and stops the app.",
        '    """',
        "    log = logger or logging.getLogger(__name__)",
        "    for name, module_name, options in routers:",
        "        try:",
        "            module = importlib.import_module(module_name)",
        "        except Exception as exc:",
        "            short = module_name.rsplit('.', 1)[-1]",
        f"            if {{name, module_name, short}} & set({REQUIRED}):",
        "                raise",
        "            log.exception('Router %s failed to load', name)",
        "            if failed is not None:",
        "                failed[name] = f'{type(exc).__name__}: {exc}'",
        "            continue",
        "        app.include_router(module.router, **options)",
        "        if loaded is not None:",
        "            loaded.append(name)",
        "        log.info('Router %s loaded at %s', name, options.get('prefix', '/'))",
        "",
        "",
    ]
    return lines
