"""A module that calls a secret getter it never defines or imports fails with NameError.

The review found ``config.py`` calling ``_get_secret("JWT_SECRET_KEY")`` in a settings validator with
no such function anywhere in the module (section 2.1): building the settings object raises NameError,
so every entry point fails at import time, and a ``try/except Exception`` around another call hides
the same NameError behind a silent default.

Fix (safe): a helper with that name is added after the module's imports (formatted with black, with
the project's line length). Its signature fits every call site in the module (the secret name, a
``default`` given by position or keyword, a ``version``). It returns the environment variable of
that name; else, when ``GOOGLE_CLOUD_PROJECT`` is set and google-cloud-secret-manager is installed
(imported lazily), the secret's version from Secret Manager; else the caller's default; else it
raises a RuntimeError that names the missing secret. It never logs a value. ``import os`` is added
if missing. When the project already has a secret getter in another module, the finding names it,
but the helper is still the fix: importing a getter from a module that imports settings creates the
review's import cycle (section 2.2). Call sites the helper cannot fit (``*args``, unknown keywords)
and modules with a star import (the name may come from it) are reported without a change.

Example::

    class Settings(BaseSettings):
        @field_validator("JWT_SECRET_KEY", mode="before")
        @classmethod
        def load_jwt_secret(cls, value):
            return value or _get_secret("JWT_SECRET_KEY")   # NameError

    # after the imports, archfix adds:
    def _get_secret(name: str) -> str:
        if name in os.environ:
            return os.environ[name]
        ...  # Secret Manager when GOOGLE_CLOUD_PROJECT is set
        raise RuntimeError(f"secret {name} is not set: ...")
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import libcst as cst
from libcst.metadata import MetadataWrapper, Scope, ScopeProvider

from archfix.codemods import _walk
from archfix.codemods._generated import black_line_length
from archfix.codemods._startup_support import ensure_import
from archfix.codemods.base import FileCodemod
from archfix.config import Option
from archfix.models import Fix
from archfix.project import Project

_GETTER = re.compile(r"^_?(get|fetch|load|read|access)_secrets?(_value)?$")
_DEFAULT_KEYWORDS = ("default", "fallback")


@dataclass
class CallShape:
    """How a module calls the missing function, merged over all its call sites."""

    name_keyword: str | None = None
    """The keyword used for the secret name at some call site (None: always positional)."""
    default_keyword: str | None = None
    uses_default: bool = False
    uses_version: bool = False
    problems: list[str] = field(default_factory=list)

    def add(self, call: cst.Call) -> None:
        positional = 0
        for arg in call.args:
            if arg.star:
                self.problems.append("it is called with *args/**kwargs")
                return
            if arg.keyword is None:
                positional += 1
                continue
            kw = arg.keyword.value
            if kw in _DEFAULT_KEYWORDS:
                if self.default_keyword not in (None, kw):
                    self.problems.append("its default is passed under two different keywords")
                self.default_keyword, self.uses_default = kw, True
            elif kw == "version":
                self.uses_version = True
            elif positional == 0 and self.name_keyword in (None, kw):
                self.name_keyword = kw
            else:
                self.problems.append(f"it is called with an unknown keyword {kw!r}")
        if positional >= 2:
            self.uses_default = True
        if positional >= 3:
            self.uses_version = True
        if positional > 3 or (positional == 0 and self.name_keyword is None):
            self.problems.append("its positional arguments do not fit (name, default, version)")


def helper_source(function: str, shape: CallShape, sentinel: str, line_length: int) -> str:
    """The helper's source, formatted by black."""
    return _helper_source(
        function,
        shape.name_keyword or "name",
        shape.default_keyword or "default",
        shape.uses_default,
        shape.uses_version,
        sentinel,
        line_length,
    )


@lru_cache(maxsize=64)
def _helper_source(
    function: str,
    param: str,
    default: str,
    uses_default: bool,
    uses_version: bool,
    sentinel: str,
    line_length: int,
) -> str:
    """helper_source for the CallShape fields that shape the helper: black takes longer than the
    rest of a visit, and the services of a monorepo mostly call the getter alike."""
    params = [f"{param}: str"]
    if uses_default:
        params.append(f"{default}: Any = {sentinel}")
    if uses_version:
        params.append('version: str = "latest"')
    returns = "Any" if uses_default else "str"
    version = "{version}" if uses_version else "latest"
    lines = []
    if uses_default:
        lines.append(f"{sentinel}: Any = object()\n\n")
    lines.append(
        f'''
def {function}({", ".join(params)}) -> {returns}:
    """Return the secret ``{param}`` from the environment or GCP Secret Manager.

    Secret Manager is read when GOOGLE_CLOUD_PROJECT is set and google-cloud-secret-manager
    is installed.{" Otherwise the caller's default is returned, if one was given." if uses_default else ""}
    Added by archfix (missing-secret-helper); it never logs a secret's value.
    """
    if {param} in os.environ:
        return os.environ[{param}]
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        try:
            from google.api_core import exceptions as gcp_exceptions
            from google.cloud import secretmanager
        except ImportError:  # the client library is optional outside GCP
            pass
        else:
            path = f"projects/{{project}}/secrets/{{{param}}}/versions/{version}"
            try:
                client = secretmanager.SecretManagerServiceClient()
                response = client.access_secret_version(request={{"name": path}})
            except gcp_exceptions.NotFound:
                pass
            else:
                return response.payload.data.decode("utf-8")
'''
    )
    if uses_default:
        lines.append(f"    if {default} is not {sentinel}:\n        return {default}\n")
    lines.append(
        f'    raise RuntimeError(\n        f"secret {{{param}}} is not set: define the environment variable {{{param}}} "\n'
        f'        "or create it in Secret Manager (with GOOGLE_CLOUD_PROJECT set)"\n    )\n'
    )
    import black  # imported on use: most runs never generate the helper

    return black.format_str("".join(lines), mode=black.Mode(line_length=line_length))


def _module_bindings(tree: ast.Module) -> set[str]:
    """Names the module binds at its top level (in blocks too, not in functions or classes):
    ``def``, ``class``, imports, and plain assignments. A subset of what libcst's scope analysis
    counts as global assignments, so a name in it is never reported."""
    names: set[str] = set()
    stack: list[list[ast.stmt]] = [tree.body]
    while stack:
        for stmt in stack.pop():
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(stmt.name)
                continue
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            elif isinstance(stmt, ast.Assign):
                names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
            elif (
                isinstance(stmt, ast.AnnAssign)
                and stmt.value is not None
                and isinstance(stmt.target, ast.Name)
            ):
                names.add(stmt.target.id)
            for name in ("body", "orelse", "finalbody"):
                value = getattr(stmt, name, None)
                if isinstance(value, list):
                    stack.append(value)
            for handler in getattr(stmt, "handlers", ()):
                stack.append(handler.body)
            for case in getattr(stmt, "cases", ()):
                stack.append(case.body)
    return names


_SCOPE_BLIND_CALLS = ("NewType", "TypeVar")
"""libcst's scope analysis does not enter the first argument of ``typing.NewType``/``TypeVar``
calls: getter calls there get no scope, and the rule skips them."""


def _bound_nowhere(tree: ast.Module, text: str, names: set[str]) -> bool:
    """True when libcst's scope analysis can find no assignment to any of ``names`` anywhere in
    the module (``text``, parsed as ``tree``), and gives every getter call a scope.

    Every spelling of a name must be a read (``ast.Name`` in load context), an attribute name or a
    keyword argument name; no string may contain one (libcst parses string annotations, which can
    assign); no name may be a builtin (libcst resolves those to a builtin assignment).
    """
    if any(hasattr(builtins, name) for name in names) or any(
        call in text for call in _SCOPE_BLIND_CALLS
    ):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id in names and not isinstance(node.ctx, ast.Load):
                return False
            continue
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if isinstance(value, str) and any(name in value for name in names):
                return False
            continue
        for field_name, value in ast.iter_fields(node):
            if (isinstance(node, ast.Attribute) and field_name == "attr") or (
                isinstance(node, ast.keyword) and field_name == "arg"
            ):
                continue
            spelled = [value] if isinstance(value, str) else value
            if isinstance(spelled, list) and any(
                isinstance(v, str) and not names.isdisjoint(v.split(".")) for v in spelled
            ):
                return False
    return True


class MissingSecretHelper(_walk.Pruning, FileCodemod):
    """Define the secret getter a module calls without defining or importing it."""

    id = "missing-secret-helper"
    title = "Define the secret helper a module calls but never defines"
    section = "2.1 Import/Module Issues (Missing _get_secret Function); 7.1 Immediate Blockers (2)"
    fixable = Fix.SAFE
    triggers = ("secret",)
    priority = 20
    options: ClassVar = {
        "functions": Option(
            "list[str]",
            ["_get_secret"],
            "Secret getter names that get a helper when called but never defined or imported.",
        ),
    }
    # ScopeProvider is resolved in visit_Module, only for files that may need it (the scope
    # analysis is a traversal of its own, and the wrapper would run it before visit_Module).

    @classmethod
    def wants(cls, path: Path, text: str, project: Project) -> bool:
        names = project.config.options_for(cls.id).get("functions", ["_get_secret"])
        return any(f"{name}(" in text for name in names)

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.calls: dict[str, list[cst.Call]] = {}
        self.star_import = False
        self.scopes: Mapping[cst.CSTNode, Scope | None] | None = {}
        """libcst's scope of each node; None when the ``ast`` showed that no getter name is
        bound anywhere in the module (the scope analysis costs more than the rest of a visit)."""

    def visit_Module(self, node: cst.Module) -> bool:
        names = self.ctx.options.get("functions", ["_get_secret"])
        tree = _walk.tree_of(self.ctx)
        route: _walk.Route | None = None
        if tree is not None:
            called = {
                n.func.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
            }
            if not called - _module_bindings(tree):
                return False  # every getter called is defined or imported by the module
            text = self.ctx.source.text if self.ctx.source is not None else None
            if text is not None and _bound_nowhere(tree, text, set(names)):
                self.scopes = None
            route = _walk.route(
                node,
                tree,
                lambda n: (
                    (
                        isinstance(n, ast.Call)
                        and isinstance(n.func, ast.Name)
                        and n.func.id in names
                    )
                    or (isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names))
                ),
                needles=[*names, "import"],
                text=text,
            )
        if self.scopes is not None:
            self.scopes = MetadataWrapper(node, unsafe_skip_copy=True).resolve(ScopeProvider)
        self.prune(route)
        return True

    def visit_ImportStar(self, node: cst.ImportStar) -> None:
        self.star_import = True

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or func.value not in self.ctx.options.get(
            "functions", ["_get_secret"]
        ):
            return
        if self.scopes is None:  # bound nowhere: no scope can hold an assignment to it
            self.calls.setdefault(func.value, []).append(node)
            return
        scope = self.scopes.get(func)
        if scope is not None and not scope[func.value]:
            self.calls.setdefault(func.value, []).append(node)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        module = updated_node
        for function, calls in self.calls.items():
            module = self._fix(original_node, module, function, calls)
        return module

    def _line(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos is not None else 0

    def _existing_getters(self) -> list[str]:
        own = self.ctx.module_name
        found: list[str] = []
        for info in self.ctx.project.index.unique_modules():
            if info.name == own:
                continue
            found.extend(f"{info.name}.{n}" for n in sorted(info.defines) if _GETTER.match(n))
        return found

    def _fix(
        self, original: cst.Module, module: cst.Module, function: str, calls: list[cst.Call]
    ) -> cst.Module:
        lines = ", ".join(str(self._line(c)) for c in calls)
        message = (
            f"{function}() is called (line {lines}) but never defined or imported: "
            "the call raises NameError"
        )
        getters = self._existing_getters()
        if getters:
            message += (
                f"; the project has {', '.join(getters[:3])}, but importing it here could create "
                "an import cycle, so a self-contained helper is the fix"
            )
        if self.star_import:
            self.report(calls[0], message + "; not changed: a star import may provide it")
            return module
        shape = CallShape()
        for call in calls:
            shape.add(call)
        if shape.problems:
            self.report(
                calls[0], f"{message}; not changed: {shape.problems[0]}, write the helper by hand"
            )
            return module
        if not self.report(
            calls[0], message + f"; adds a {function}() helper after the imports", fix=Fix.SAFE
        ):
            return module
        sentinel = "_NO_DEFAULT"
        source_text = self.ctx.source.text if self.ctx.source is not None else None
        if source_text is None or sentinel in source_text:
            # A name is spelled in the source as it is: without the text, no name can be taken.
            taken = _module_names(original)
            while sentinel in taken:
                sentinel += "_"
        source = helper_source(function, shape, sentinel, black_line_length(self.ctx.project.root))
        module = _insert_after_imports(
            module,
            cst.parse_module(source).body,
            function,
            self._unused_prefix(module.body, function),
        )
        module = ensure_import(module, "os")
        if shape.uses_default:
            module = ensure_import(module, "typing", "Any")
        return module

    def _unused_prefix(self, body: Sequence[cst.BaseStatement], function: str) -> int:
        """How many leading statements of ``body`` certainly do not use ``function``: statements
        of the visited tree that end above the first line of its text spelling the name (a
        statement prints nothing below its last line). Saves a traversal of each."""
        source, positions = self.ctx.source, self.ctx.positions
        if source is None or positions is None or "\r" in source.text:
            return 0  # without "\r", lines are numbered by "\n" alone, as positions number them
        found = source.text.find(function)
        first = source.text.count("\n", 0, found) + 1 if found >= 0 else sys.maxsize
        known = positions()
        count = 0
        for stmt in body:
            pos = known.get(stmt)  # None for a statement the visit rebuilt
            if pos is None or pos.end.line >= first:
                break
            count += 1
        return count


def _module_names(module: cst.Module) -> set[str]:
    names: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(_Names())
    return names


def _is_import_block(stmt: cst.BaseStatement) -> bool:
    """An import line, or a try/if block made only of imports (optional imports, TYPE_CHECKING)."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, (cst.Try, cst.If)) and isinstance(stmt.body, cst.IndentedBlock):
        return all(_is_import_block(s) for s in stmt.body.body)
    return False


def _uses(stmt: cst.BaseStatement, function: str) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value == function

    stmt.visit(_Finder())
    return found


def _insert_after_imports(
    module: cst.Module, helper: Sequence[cst.BaseStatement], function: str, unused: int = 0
) -> cst.Module:
    """Insert ``helper`` after the last top-level import that comes before the first use;
    ``unused``: how many leading statements are known not to use ``function``."""
    body = list(module.body)
    first_use = next(
        (i for i, s in enumerate(body) if i >= unused and _uses(s, function)), len(body)
    )
    pos = 0
    for i, stmt in enumerate(body[:first_use]):
        if _is_import_block(stmt):
            pos = i + 1
    if pos == 0 and body and isinstance(body[0], cst.SimpleStatementLine):
        small = body[0].body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
            pos = 1  # after the module docstring
    two = [cst.EmptyLine(), cst.EmptyLine()]
    new = list(helper)
    new[0] = new[0].with_changes(leading_lines=two)
    if pos < len(body):
        # PEP 8: two blank lines between a function and the next top-level statement.
        after = body[pos]
        lead = list(after.leading_lines)
        blanks = 0
        while lead and lead[0].comment is None:
            lead.pop(0)
            blanks += 1
        if blanks < 2:
            body[pos] = after.with_changes(leading_lines=[*two, *lead])
    return module.with_changes(body=[*body[:pos], *new, *body[pos:]])
