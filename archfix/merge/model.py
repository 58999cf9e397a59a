"""Each entry-point variant as a sequence of app-building items.

A variant is read into imports (one item per bound name), the app constructor, and the other
module-level statements in order. Every statement gets a comment-insensitive key (``ast.dump``) so
equal statements in different variants are recognised, and a name analysis (``symtable``) that says
which module-level names it binds and uses, because the merge moves statements into a function and
behind flags and must keep every use after its definition.
"""

from __future__ import annotations

import ast
import functools
import re
import symtable
from dataclasses import dataclass, field

import libcst as cst

from archfix.codemods._cst import code_of, dotted_name
from archfix.trees import parse_module


class MergeError(Exception):
    """The variants cannot be merged with confidence; the message says why (reported, no edit)."""


def key_of(code: str) -> str:
    """A formatting- and comment-insensitive identity for a statement or expression."""
    return ast.dump(ast.parse(code))


dotted = dotted_name


@dataclass(frozen=True)
class ImportItem:
    """One name bound by a module-level import."""

    module: str
    """Dotted module with leading dots for relative imports; for ``import a.b`` the module itself."""
    name: str | None
    """None for ``import M``."""
    asname: str | None

    @property
    def bound(self) -> str:
        if self.name is None:
            return self.asname or self.module.split(".")[0]
        return self.asname or self.name

    def code(self) -> str:
        alias = f" as {self.asname}" if self.asname else ""
        if self.name is None:
            return f"import {self.module}{alias}"
        return f"from {self.module} import {self.name}{alias}"


@dataclass
class Stmt:
    """One module-level statement other than an import, the docstring or the constructor."""

    key: str
    node: cst.BaseStatement
    kind: str
    """"app" (touches the app), "def" (binds names only), or "other" (a module-level side effect)."""
    binds: frozenset[str]
    uses: frozenset[str]
    annotation_names: frozenset[str]
    """Names used in annotations of functions it defines (FastAPI resolves those through globals)."""


@dataclass
class Ctor:
    """The ``app = FastAPI(...)`` statement."""

    callee: str
    positional: tuple[str, ...]
    """Keys of positional arguments."""
    kwargs: dict[str, cst.BaseExpression]
    kwarg_keys: dict[str, str]
    node: cst.SimpleStatementLine
    uses: frozenset[str]


@dataclass
class Variant:
    """One entry module, modelled."""

    profile: str
    path_name: str
    """File name, for comments and messages."""
    module: str
    docstring: str | None
    future: list[str]
    imports: list[ImportItem]
    before: list[Stmt]
    """Statements before the constructor, in order."""
    ctor: Ctor
    after: list[Stmt]
    nested_imports: dict[str, str] = field(default_factory=dict)
    """Every name bound by any import in the file (nested ones too) -> its module, for naming."""


_IGNORED_BINDINGS = {"__doc__"}


def _names(code: str) -> tuple[set[str], set[str], set[str], bool]:
    """(binds, free uses, annotation names, declares global) of one module-level statement."""
    table = symtable.symtable(code, "<item>", "exec")
    binds: set[str] = set()
    uses: set[str] = set()
    declares_global = False
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            binds.add(sym.get_name())
        if sym.is_referenced():
            uses.add(sym.get_name())

    def walk(t: symtable.SymbolTable) -> None:
        nonlocal declares_global
        for sym in t.get_symbols():
            if sym.is_declared_global():
                declares_global = True
            if sym.is_global() and sym.is_referenced():
                uses.add(sym.get_name())
        for child in t.get_children():
            walk(child)

    for child in table.get_children():
        walk(child)
    annotations: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts: list[ast.expr | None] = [node.returns]
            every = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            every += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
            parts += [a.annotation for a in every]
            for part in parts:
                if part is not None:
                    annotations |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
                    annotations |= _string_annotation_names(part)
    return binds - _IGNORED_BINDINGS, uses - binds, annotations, declares_global


def _string_annotation_names(part: ast.expr) -> set[str]:
    if isinstance(part, ast.Constant) and isinstance(part.value, str):
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", part.value))
    return set()


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_items(small: cst.Import | cst.ImportFrom) -> list[ImportItem]:
    if isinstance(small, cst.Import):
        return [
            ImportItem(
                code_of(a.name),
                None,
                a.asname.name.value if a.asname and isinstance(a.asname.name, cst.Name) else None,
            )
            for a in small.names
        ]
    if isinstance(small.names, cst.ImportStar):
        raise MergeError("a star import makes the bound names unknowable")
    module = "." * len(small.relative) + (code_of(small.module) if small.module else "")
    return [
        ImportItem(
            module,
            code_of(a.name),
            a.asname.name.value if a.asname and isinstance(a.asname.name, cst.Name) else None,
        )
        for a in small.names
    ]


def _ctor(
    stmt: cst.BaseStatement, app_classes: set[str], app_name: str | None
) -> tuple[str, cst.Call] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    target: cst.BaseExpression | None = None
    value: cst.BaseExpression | None = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
        return None
    callee = dotted(value.func)
    if callee is None or callee.split(".")[-1] not in app_classes:
        return None
    if app_name is not None and target.value != app_name:
        return None
    return target.value, value


def with_aliases(tree: ast.Module, app_classes: set[str]) -> set[str]:
    """The app class names plus the local aliases they are imported under (``FastAPI as Api``)."""
    names = set(app_classes)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname for a in node.names if a.asname and a.name in app_classes}
    return names


@functools.lru_cache(maxsize=64)
def parsed(text: str) -> ast.Module | None:
    """The ``ast`` tree of an entry module (None: it does not parse), shared by the family
    checks that each read every member (callers must not change it)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None


def builds_app(text: str, app_classes: set[str]) -> bool:
    """Cheap check: does this module construct an app at module level?"""
    tree = parsed(text)
    if tree is None:
        return False
    app_classes = with_aliases(tree, app_classes)
    for stmt in tree.body:
        value = getattr(stmt, "value", None)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in app_classes:
                return True
    return False


_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket", "route"}
)


def served_routes(text: str, app_classes: set[str]) -> set[str]:
    """What a module's app serves, as far as its own text says: the paths of its route
    decorators, ``add_api_route`` and ``mount`` calls, and the routers it includes (by their
    expression). Empty when unknown."""
    tree = parsed(text)
    if tree is None:
        return set()
    app_classes = with_aliases(tree, app_classes)
    apps: set[str] = set()
    for stmt in tree.body:
        value = getattr(stmt, "value", None)
        if isinstance(stmt, ast.Assign) and isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in app_classes:
                apps.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    served: set[str] = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in apps
        ):
            continue
        method, first = node.func.attr, node.args[0] if node.args else None
        if method == "include_router" and first is not None:
            served.add("router " + ast.unparse(first))
        elif (method in _ROUTE_METHODS or method in ("add_api_route", "mount")) and (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        ):
            served.add(first.value)
    return served


def _runs_as_main(stmt: cst.BaseStatement) -> bool:
    """``if __name__ == "__main__":`` (a variant run as a script)."""
    if not isinstance(stmt, cst.If):
        return False
    text = code_of(stmt.test).replace("'", '"').replace(" ", "")
    return text in ('__name__=="__main__"', '"__main__"==__name__')


def read_variant(
    text: str, profile: str, path_name: str, module: str, app_classes: set[str]
) -> tuple[str, Variant]:
    """Model one entry module; returns (app variable name, variant). Raises MergeError."""
    try:
        tree = parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise MergeError(f"{path_name} does not parse: {exc}") from exc
    docstring = None
    future: list[str] = []
    imports: list[ImportItem] = []
    before: list[Stmt] = []
    after: list[Stmt] = []
    ctor: Ctor | None = None
    app_name: str | None = None
    body = list(tree.body)
    if body and _is_docstring(body[0]):
        expr = body[0].body[0]  # type: ignore[attr-defined]
        docstring = ast.literal_eval(code_of(expr.value))
        body = body[1:]
    nested: dict[str, str] = {}
    ast_tree = ast.parse(text)
    app_classes = with_aliases(ast_tree, app_classes)
    for node in ast.walk(ast_tree):
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                nested[a.asname or a.name] = node.module or ""
        elif isinstance(node, ast.Import):
            for a in node.names:
                nested[a.asname or a.name.split(".")[0]] = a.name
    side_effect: str | None = None
    """The first statement (other than a definition) seen so far: imports after it must stay after it."""
    for stmt in body:
        if _runs_as_main(stmt):
            raise MergeError(
                f'{path_name} runs a server under `if __name__ == "__main__"`; in create_app() '
                "it would never run (move it to a script, or merge by hand)"
            )
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            if side_effect is not None:
                raise MergeError(
                    f"{path_name}: {side_effect!r} runs before a later import, which the merged "
                    "module would run first (load_dotenv, sys.path, os.environ set up imports)"
                )
            if len(stmt.body) != 1:
                raise MergeError(f"{path_name}: several statements on one import line")
            small = stmt.body[0]
            assert isinstance(small, (cst.Import, cst.ImportFrom))
            if (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and code_of(small.module) == "__future__"
            ):
                future += [i.name for i in _import_items(small) if i.name]
                continue
            imports += _import_items(small)
            continue
        found = _ctor(stmt, app_classes, None) if ctor is None else None
        if found is not None:
            app_name, call = found
            positional = tuple(
                key_of(code_of(a.value)) for a in call.args if a.keyword is None or a.star
            )
            kwargs = {a.keyword.value: a.value for a in call.args if a.keyword and not a.star}
            code = code_of(stmt)
            ctor = Ctor(
                dotted(call.func) or "",
                positional,
                kwargs,
                {k: key_of(code_of(v)) for k, v in kwargs.items()},
                stmt,  # type: ignore[arg-type]
                frozenset(_names(code)[1] - {app_name}),
            )
            continue
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) != 1:
            raise MergeError(
                f"{path_name}: several statements on one line ({code_of(stmt).strip()!r})"
            )
        code = code_of(stmt)
        try:
            binds, uses, annotations, declares_global = _names(code)
        except SyntaxError as exc:
            raise MergeError(f"{path_name}: cannot analyse {code.strip()[:60]!r}: {exc}") from exc
        if declares_global:
            raise MergeError(
                f"{path_name}: a function declares `global` names; moving it into create_app() would change them"
            )
        if ctor is not None and app_name in uses:
            kind = "app"
        elif app_name in uses or (ctor is None and "app" in binds):
            kind = "other"
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or (
            isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], (cst.Assign, cst.AnnAssign))
            and binds
        ):
            kind = "def"
        else:
            kind = "other"
        if kind == "other" and side_effect is None:
            side_effect = code.strip().splitlines()[0][:60]
        item = Stmt(
            key_of(code),
            stmt,
            kind,
            frozenset(binds),
            frozenset(uses),
            frozenset(annotations),
        )
        (after if ctor is not None else before).append(item)
    if ctor is None or app_name is None:
        raise MergeError(f"{path_name} does not construct an app at module level")
    for item in [*before, *after]:
        if app_name in item.binds:
            raise MergeError(f"{path_name} rebinds {app_name!r} after constructing it")
    variant = Variant(
        profile, path_name, module, docstring, future, imports, before, ctor, after, nested
    )
    return app_name, variant
