"""A settings validator that swallows every exception lets invalid configuration start in production.

A pydantic validator on a settings class exists to stop the service when configuration is wrong. If
its body is wrapped in ``try: ... except Exception: return value`` (or ``return None``, or a default),
every failure - a missing secret, an unreachable Secret Manager, a malformed URL - is converted into
a silently accepted value, and the service starts with an empty key or a local SQLite URL (review
section 4.1: "potential to fail silently with invalid configuration").

No fix: whether a fallback is legitimate (local development) is a decision only the author can make.
Catch the specific exception you expect, log it, and re-raise (or raise ``ValueError``) in deployed
environments.

Example::

    @field_validator("DATABASE_URL", mode="before")
    @classmethod
    def load_database_url(cls, value):
        try:
            return _get_secret("DATABASE_URL", default=value)
        except Exception:          # reported: any error becomes "use the unvalidated value"
            return value
"""

from __future__ import annotations

import ast
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods.base import FileCodemod
from archfix.config import Option
from archfix.models import Fix
from archfix.project import Project

_BROAD = {"Exception", "BaseException"}


def _broad(handler: cst.ExceptHandler) -> str | None:
    """The broad exception the handler catches ("bare" for ``except:``), or None."""
    if handler.type is None:
        return "every exception (bare except)"
    types = (
        [e.value for e in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    for t in types:
        name = dotted_name(t)
        if name is not None and name.rsplit(".", 1)[-1] in _BROAD:
            return name
    return None


class _HandlerScan(cst.CSTVisitor):
    """Whether a handler raises, and what it returns (not descending into nested functions)."""

    def __init__(self) -> None:
        self.raises = False
        self.returns: list[cst.Return] = []

    def visit_Raise(self, node: cst.Raise) -> None:
        self.raises = True

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class SilentSettingsValidator(FileCodemod):
    """Report settings validators that turn every error into a silently accepted value."""

    id = "silent-settings-validator"
    title = "Let settings validators fail loudly"
    section = "4.1 Settings Initialization"
    fixable = Fix.NONE
    triggers = ("validator",)
    priority = 80
    options: ClassVar = {
        "settings-bases": Option(
            "list[str]", ["BaseSettings"], "Base classes of settings classes (last name part)."
        ),
        "validators": Option(
            "list[str]",
            ["field_validator", "validator", "model_validator", "root_validator"],
            "Decorators that make a method a validator (last name part).",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.settings_classes = set(self.ctx.options.get("settings-bases", ["BaseSettings"]))
        self.validators = set(
            self.ctx.options.get(
                "validators", ["field_validator", "validator", "model_validator", "root_validator"]
            )
        )
        self.class_stack: list[bool] = []

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """Only a validator-decorated function with a ``try`` inside can be reported."""
        validators = set(
            project.config.options_for(cls.id).get(
                "validators", ["field_validator", "validator", "model_validator", "root_validator"]
            )
        )
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for d in node.decorator_list:
                name = _walk.dotted(d.func if isinstance(d, ast.Call) else d)
                if name is not None and name.rsplit(".", 1)[-1] in validators:
                    if any(isinstance(n, ast.Try) for n in ast.walk(node)):
                        return True
                    break
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        names = [dotted_name(b.value) for b in node.bases]
        is_settings = any(
            n is not None and n.rsplit(".", 1)[-1] in self.settings_classes for n in names
        )
        if is_settings:
            # Subclasses defined later in the file are settings classes too.
            self.settings_classes.add(node.name.value)
        self.class_stack.append(is_settings)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.class_stack.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.class_stack or not self.class_stack[-1]:
            return
        decorators = []
        for d in node.decorators:
            expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            name = dotted_name(expr)
            if name is not None:
                decorators.append(name.rsplit(".", 1)[-1])
        if not self.validators & set(decorators):
            return
        params = [p.name.value for p in node.params.params]
        value_param = next((p for p in params if p not in ("cls", "self")), None)

        class _Tries(cst.CSTVisitor):
            def __init__(self) -> None:
                self.found: list[cst.Try] = []

            def visit_Try(self, n: cst.Try) -> None:
                self.found.append(n)

            def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
                return n is node

        tries = _Tries()
        node.visit(tries)
        for try_node in tries.found:
            for handler in try_node.handlers:
                caught = _broad(handler)
                if caught is None:
                    continue
                scan = _HandlerScan()
                handler.body.visit(scan)
                if scan.raises:
                    continue
                self.report(
                    handler, self._message(node.name.value, caught, scan.returns, value_param)
                )

    def _message(
        self, name: str, caught: str, returns: list[cst.Return], value_param: str | None
    ) -> str:
        if not returns:
            outcome = "carries on as if nothing failed"
        else:
            value = returns[0].value
            shown = code_of(value) if value is not None else "None"
            if value is None or (isinstance(value, cst.Name) and value.value == "None"):
                outcome = "returns None"
            elif isinstance(value, cst.Name) and value.value == value_param:
                outcome = f"returns the unvalidated input ({shown})"
            else:
                outcome = f"falls back to {shown}"
        return (
            f"validator {name} catches {caught} and {outcome}, so invalid or missing configuration "
            "passes silently; catch the specific error and re-raise (or raise ValueError)"
        )
