"""CORS that allows every origin lets any web page read the API's responses.

``CORSMiddleware(allow_origins=["*"])`` answers every cross-site request with the data, so a page on
any domain can call the API from a visitor's browser (review section 8). With
``allow_credentials=True`` it is worse: browsers refuse a credentialed response with
``Access-Control-Allow-Origin: *``, so Starlette reflects the caller's ``Origin`` instead and any site
can make *authenticated* requests with the user's cookies. The same holds when ``allow_origins`` is
a settings field whose default is ``["*"]``: every deployment that forgets to set it is wide open.

No fix: the right origin list is a product decision. List the front-end origins explicitly (from
settings, with no wildcard default) or use ``allow_origin_regex`` for a known domain family.

Example::

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    # use instead
    app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, allow_credentials=True)
    # with CORS_ORIGINS: list[str] = ["https://app.example.com"]
"""

from __future__ import annotations

import ast
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods.base import FileCodemod
from archfix.codemods.mixed_environment_detection import (
    find_settings,
    import_bindings,
    through_reexports,
)
from archfix.config import Option
from archfix.models import Fix

_ANY_REGEX = {".*", ".+", "^.*$", "^.+$", "^.*", ".*$", "https?://.*", "^https?://.*$"}


def _has_star(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value == "*"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value == "*" for e in node.elts)
    return False


def _literal(node: cst.BaseExpression) -> ast.expr | None:
    try:
        return ast.parse(f"({code_of(node)})", mode="eval").body
    except SyntaxError:
        return None


_REGISTRARS = ("add_middleware", "Middleware")


def _may_register(node: ast.AST, classes: list[str]) -> bool:
    """``add_middleware(C, ...)``/``Middleware(C, ...)`` with ``C`` one of ``classes``, as
    ``leave_Call`` looks for it. Which argument comes first in the source is not visible in the
    ``ast`` (positional and keyword arguments are kept apart), so any one without a keyword counts.
    """
    if not isinstance(node, ast.Call):
        return False
    name = _walk.dotted(node.func)
    if name is None or name.rsplit(".", 1)[-1] not in _REGISTRARS:
        return False
    firsts = [a.value if isinstance(a, ast.Starred) else a for a in node.args]
    firsts += [k.value for k in node.keywords if k.arg is None]
    return any((_walk.dotted(a) or "").rsplit(".", 1)[-1] in classes for a in firsts)


def _may_register_cst(node: cst.BaseExpression, classes: list[str]) -> bool:
    """:func:`_may_register` for a libcst node (the same calls match on both sides)."""
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func)
    if name is None or name.rsplit(".", 1)[-1] not in _REGISTRARS:
        return False
    return any(
        (dotted_name(a.value) or "").rsplit(".", 1)[-1] in classes
        for a in node.args
        if a.keyword is None
    )


class CorsWildcard(_walk.Pruning, FileCodemod):
    """Report CORS registrations that allow every origin."""

    id = "cors-wildcard"
    title = "Allow CORS from listed origins, never from every origin"
    section = "8 Security Concerns (2)"
    fixable = Fix.NONE
    triggers = ("CORSMiddleware",)
    priority = 75
    options: ClassVar = {
        "middleware-classes": Option(
            "list[str]", ["CORSMiddleware"], "CORS middleware classes (last name part)."
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.classes: list[str] = ctx.options.get("middleware-classes", ["CORSMiddleware"])
        self.counts: dict[int, int] = {}

    def visit_Module(self, node: cst.Module) -> bool:
        """Enter only the statements holding a call that may register CORS middleware."""
        tree = _walk.tree_of(self.ctx)
        if tree is None:
            return True
        route = _walk.route(
            node,
            tree,
            lambda n: _may_register(n, self.classes),
            needles=_REGISTRARS,
            text=self.ctx.source.text if self.ctx.source is not None else None,
            counts=self.counts,
        )
        if route is not None and route.empty:
            return False
        self.prune(route)
        return True

    def on_visit(self, node: cst.CSTNode) -> bool:
        """A line whose candidate calls are all its statements (``app.add_middleware(...)``) is
        checked without traversing it: those calls are the only ones ``leave_Call`` reports."""
        descend = super().on_visit(node)
        if descend and id(node) in self.counts and isinstance(node, cst.SimpleStatementLine):
            direct = [
                small.value
                for small in node.body
                if isinstance(small, cst.Expr) and _may_register_cst(small.value, self.classes)
            ]
            if len(direct) == self.counts[id(node)]:
                for call in direct:
                    self._check(call)  # type: ignore[arg-type]
                return False
        return descend

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        self._check(original_node)
        return updated_node

    def _check(self, node: cst.Call) -> None:
        """Report ``node`` when it registers CORS middleware for every origin."""
        name = dotted_name(node.func)
        if name is None:
            return
        short = name.rsplit(".", 1)[-1]
        if short not in ("add_middleware", "Middleware") or not node.args:
            return
        first = node.args[0]
        cls = dotted_name(first.value) if first.keyword is None else None
        classes = self.ctx.options.get("middleware-classes", ["CORSMiddleware"])
        if cls is None or cls.rsplit(".", 1)[-1] not in classes:
            return
        kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        credentials = kwargs.get("allow_credentials")
        with_credentials = isinstance(credentials, cst.Name) and credentials.value == "True"
        problem = self._wildcard(kwargs)
        if problem is None:
            return
        if with_credentials:
            message = (
                f"{problem}; with allow_credentials=True, browsers refuse a credentialed '*' response, "
                "so Starlette reflects the caller's Origin and any web site can make authenticated "
                "requests with your users' cookies; list the allowed origins explicitly"
            )
        else:
            message = (
                f"{problem}: any web site can read this API's responses from a visitor's browser; "
                "list the allowed origins explicitly"
            )
        self.report(node, message)

    def _wildcard(self, kwargs: dict[str, cst.BaseExpression]) -> str | None:
        regex = kwargs.get("allow_origin_regex")
        if regex is not None:
            value = _literal(regex)
            if isinstance(value, ast.Constant) and value.value in _ANY_REGEX:
                return f"allow_origin_regex={code_of(regex)} matches every origin"
        origins = kwargs.get("allow_origins")
        if origins is None:
            return None
        if _has_star(_literal(origins)):
            return f"allow_origins={code_of(origins)} allows every origin"
        return self._settings_default(origins)

    def _settings_default(self, origins: cst.BaseExpression) -> str | None:
        """``settings.FIELD`` whose settings class gives FIELD a ``["*"]`` default."""
        if not isinstance(origins, cst.Attribute):
            return None
        receiver = dotted_name(origins.value)
        if receiver is None:
            return None
        project = self.ctx.project
        info = project.index.module_at(self.ctx.path)
        module = info.name if info else (self.ctx.module_name or "")
        bindings = import_bindings(
            ast.parse("\n".join(self.ctx.lines)), module, bool(info and info.is_package)
        )
        head, _, rest = receiver.partition(".")
        owner = bindings.get(head, f"{module}.{head}")
        owner = through_reexports(project, f"{owner}.{rest}" if rest else owner)
        for model in find_settings(project):
            if not any(owner == f"{model.module}.{i}" for i in model.instances):
                continue
            fld = model.fields.get(origins.attr.value)
            if fld is not None and _has_star(fld.default):
                try:
                    where = model.path.relative_to(project.root).as_posix()
                except ValueError:
                    where = str(model.path)
                return (
                    f"allow_origins={code_of(origins)} defaults to {ast.unparse(fld.default)} "  # type: ignore[arg-type]
                    f"({where}:{fld.line}), so every origin is allowed wherever it is not set"
                )
        return None
