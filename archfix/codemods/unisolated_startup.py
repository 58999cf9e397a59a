"""One optional service that fails during startup takes the whole application down with it.

In a lifespan or startup handler, an exception from any initialisation aborts startup: the server
never accepts a request, health checks fail and the deploy rolls back, even when the failing piece
was a scheduler or a monitoring exporter the API can live without. The review found the lifespan
starting tracing, security monitoring, database optimisation and a scheduler with no error
isolation (section 2.3).

Finding: each initialisation call (awaited or not; callee named ``init*``, ``setup*``, ``start*``,
``connect*`` ... as in ``duplicate-startup-call``'s ``init-words``) in a lifespan or startup handler
that is not inside a ``try``. Calls matching ``required-services`` (dotted callee names or fnmatch
patterns such as ``db_manager.*`` or ``init_db``) are meant to fail fast and are not reported.

Fix (unsafe: the app now starts without the failed service, which callers may not expect): each
optional call is wrapped in ``try/except Exception`` that logs the traceback with the module's
logger (``logging.getLogger(__name__)`` when it has none) and lets startup continue. A call sharing
its line with other statements is reported without a change.

Example::

    async def lifespan(app):
        await story_scheduler.start()
        yield

    # becomes
    async def lifespan(app):
        try:
            await story_scheduler.start()
        except Exception:
            logger.exception("story_scheduler.start() failed at startup; continuing without it")
        yield
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of
from archfix.codemods._generated import formatted_statements
from archfix.codemods._startup_support import (
    DEFAULT_INIT_WORDS,
    StartupScoped,
    callee_name,
    ensure_import,
    init_call,
    is_init_name,
    logger_expr,
    matches_any,
    module_logger,
    startup_functions,
    string_literal,
)
from archfix.codemods.base import FileCodemod
from archfix.config import Option
from archfix.models import Fix


def _unguarded_statements(body: Sequence[cst.BaseStatement]) -> list[cst.SimpleStatementLine]:
    """Statement lines that run at startup outside any ``try`` (descending into if/with/for)."""
    found: list[cst.SimpleStatementLine] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            found.append(stmt)
        elif isinstance(stmt, (cst.If, cst.With, cst.For, cst.While)):
            inner = stmt.body
            if isinstance(inner, cst.IndentedBlock):
                found.extend(_unguarded_statements(inner.body))
            orelse = getattr(stmt, "orelse", None)
            while orelse is not None:
                if isinstance(orelse.body, cst.IndentedBlock):
                    found.extend(_unguarded_statements(orelse.body.body))
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    return found


class UnisolatedStartup(StartupScoped, FileCodemod):
    """Isolate optional service initialisations so one failure does not stop the app."""

    id = "unisolated-startup"
    title = "Isolate optional service startup failures"
    section = (
        "2.3 Service Initialization Order Problems (no error isolation); 7.2 Runtime Issues (3)"
    )
    fixable = Fix.UNSAFE
    triggers = ("lifespan", "startup")
    priority = 55
    options: ClassVar = {
        "required-services": Option(
            "list[str]",
            [],
            "Callees that must fail fast (dotted names or fnmatch patterns, e.g. 'db_manager.*').",
        ),
        "init-words": Option(
            "list[str]",
            DEFAULT_INIT_WORDS,
            "A call is an initialisation when a _-separated word of its name starts with one of these.",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.wrap: dict[int, str] = {}
        """id of the statement line -> the callee, for the log message."""
        self.logger: str | None = None
        self.columns: dict[int, int] = {}
        """id of the statement line -> its column, where the generated log call is indented from."""
        self.indent = 4
        """Width of the module's indentation unit."""

    def visit_Module(self, node: cst.Module) -> bool:
        words = self.ctx.options.get("init-words", DEFAULT_INIT_WORDS)
        required = self.ctx.options.get("required-services", [])
        self.logger = module_logger(node)
        for func in startup_functions(node, _walk.tree_of(self.ctx)):
            for line in _unguarded_statements(func.startup_body()):
                for small in line.body:
                    found = init_call(small)
                    if found is None:
                        continue
                    name = callee_name(found[0])
                    if name is None or not is_init_name(name, words) or matches_any(name, required):
                        continue
                    message = (
                        f"{name}() in {func.kind} {func.name} is not isolated: if it raises, the "
                        "whole app fails to start; wrap it so the failure is logged and startup "
                        "continues, or list it in required-services to fail fast on purpose"
                    )
                    if len(line.body) != 1:
                        self.report(small, message + " (not changed: it shares its line)")
                    elif self.report(small, message, fix=Fix.UNSAFE):
                        self.wrap[id(line)] = code_of(found[0].func)
                        position = self.position(line)
                        self.columns[id(line)] = position.start.column if position else 0
        self.indent = len(node.default_indent.expandtabs())
        return bool(self.wrap)  # nothing planned: skip the transforming traversal

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        name = self.wrap.get(id(original_node))
        if name is None:
            return updated_node
        log = string_literal(f"{name}() failed at startup; continuing without it")
        template = cst.parse_statement("try:\n    pass\nexcept Exception:\n    pass\n")
        assert isinstance(template, cst.Try)
        handler = template.handlers[0]
        logged = formatted_statements(
            f"{logger_expr(self.logger)}.exception({log})\n",
            self.columns.get(id(original_node), 0) + self.indent,
            self.ctx.project.root,
        )
        inner = updated_node.with_changes(leading_lines=[])
        return template.with_changes(
            body=template.body.with_changes(body=[inner]),
            handlers=[handler.with_changes(body=handler.body.with_changes(body=logged))],
            leading_lines=updated_node.leading_lines,
        )

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.wrap and self.logger is None:
            return ensure_import(updated_node, "logging")
        return updated_node
