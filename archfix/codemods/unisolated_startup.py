"""One optional service that fails during startup takes the whole application down with it.

In a lifespan or startup handler, an exception from any initialisation aborts startup: the server
never accepts a request, health checks fail and the deploy rolls back, even when the failing piece
was a scheduler or a monitoring exporter the API can live without. The review found the lifespan
starting tracing, security monitoring, database optimisation and a scheduler with no error
isolation (section 2.3).

Finding: each initialisation call (awaited or not; callee named ``init*``, ``setup*``, ``start*``,
``connect*`` ... as in ``duplicate-startup-call``'s ``init-words``) in a lifespan or startup handler
that is not inside a ``try``. Calls matching ``required-services`` (dotted callee names or fnmatch
patterns such as ``db_manager.*`` or ``init_db``) are meant to fail fast and are not reported;
nor is a call of a project function (found through the file's imports) whose whole body is a
``try`` with an ``except Exception`` handler that does not re-raise: it cannot fail start-up.
Nor is the start of a thread built in the function or at module level (``Thread(target=load,
daemon=True).start()``, ``worker.start()`` after ``worker = threading.Thread(...)``, a subclass
of ``Thread``): the thread is the isolation already.

Fix (unsafe: the app now starts without the failed service, which callers may not expect): each
optional call is wrapped in ``try/except Exception`` that logs the traceback with the module's
logger (``logging.getLogger(__name__)`` when it has none) and lets startup continue. A call sharing
its line with other statements is reported without a change, and so is a call that is not an
optional service: one named after the database or its schema (``init_db``, ``run_migrations``),
one named after the app's own start-up (``startup()``, ``init_app(config)``), a project
function that raises on purpose (its author wants start-up to stop) or a method that does, of
the project class its receiver is built from or annotated with (``orchestrator.start_worker()``
after ``orchestrator = Orchestrator()`` or ``queue: QueueProvider = ...``, in this module or the
project module it is imported from; the method is looked up in the class, then its project
bases; a receiver reached through an attribute chain, such as ``app.state.worker``, is not
followed), and an object that route
handlers or their ``Depends`` functions use (``scheduler_client.initialize()`` for the client
every request forwards to: the app would start and fail every request), in this module or in
another project module that defines the object or imports it, from where it is defined, through
a package that re-exports it, or from this module (``from app.services import session_manager``
in ``app/routes.py``); a ``Depends`` function of a third module counts too (``get_cache`` in
``app/deps.py``, named by ``Depends`` in ``app/routes.py``). When the shutdown (after the
lifespan's ``yield``, its ``finally``, or a shutdown handler) stops what the start started, by the
same object (``scheduler.start()`` ... ``scheduler.shutdown()``) or by the same name with a stop
verb (``init_redis()`` ... ``close_redis()``, ``start_scheduler()`` ... ``stop_scheduler()``,
``setup_tracing()`` ... ``teardown_tracing()``), that call is isolated too, since it would then
stop what never started; if it is not a lone call statement, neither is changed.

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

import ast
import functools
from collections.abc import Callable, Sequence
from typing import ClassVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import code_of, dotted_name
from archfix.codemods._generated import formatted_statements
from archfix.codemods._startup_support import (
    DEFAULT_INIT_WORDS,
    StartupFunction,
    StartupScoped,
    callee_name,
    ensure_import,
    init_call,
    is_init_name,
    logger_expr,
    matches_any,
    module_logger,
    names_used,
    shutdown_handlers,
    startup_functions,
    string_literal,
)
from archfix.codemods.base import FileCodemod
from archfix.codemods.mixed_environment_detection import import_bindings, source_of
from archfix.config import Option
from archfix.models import Fix
from archfix.project import ModuleIndex


def _unguarded_statements(
    body: Sequence[cst.BaseStatement], finally_too: bool = False
) -> list[cst.SimpleStatementLine]:
    """Statement lines outside any ``try`` (descending into if/with/for/while); with
    ``finally_too``, also those of a ``try``'s ``finally`` (where a lifespan stops things)."""
    found: list[cst.SimpleStatementLine] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            found.append(stmt)
        elif isinstance(stmt, (cst.If, cst.With, cst.For, cst.While)):
            inner = stmt.body
            if isinstance(inner, cst.IndentedBlock):
                found.extend(_unguarded_statements(inner.body, finally_too))
            orelse = getattr(stmt, "orelse", None)
            while orelse is not None:
                if isinstance(orelse.body, cst.IndentedBlock):
                    found.extend(_unguarded_statements(orelse.body.body, finally_too))
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif finally_too and isinstance(stmt, cst.Try) and stmt.finalbody is not None:
            final = stmt.finalbody.body
            if isinstance(final, cst.IndentedBlock):
                found.extend(_unguarded_statements(final.body, finally_too))
    return found


_ESSENTIAL_WORDS = frozenset(
    {"db", "database", "databases", "migrate", "migrations", "alembic", "schema", "tables"}
)


_APP_VERBS = frozenset({"init", "initialize", "setup", "configure", "create", "start", "build"})


def _essential(callee: str) -> str | None:
    """Why a call is not an optional service, judged by its name, or None.

    The database or its schema (``init_db``, ``db_optimization_manager.start``): without it
    the app fails every request instead of failing at start-up. The app's own start-up
    (``startup()``, ``init_app(config)``, ``bootstrap``): it bundles everything, the checks
    that must stop a misconfigured app included."""
    words = callee.lower().replace(".", "_").split("_")
    if any(word in _ESSENTIAL_WORDS for word in words):
        return "it looks like the database, which the app cannot serve without"
    if _app_startup(callee.rsplit(".", 1)[-1]):
        return "it looks like the app's own start-up, not an optional service"
    return None


def _app_startup(name: str) -> bool:
    """``startup()``, ``startup_events()``, ``on_app_startup()``, ``bootstrap()``,
    ``init_app(config)``: a name that is the start-up, not one that mentions it
    (``track_server_startup()`` is telemetry)."""
    words = [w for w in name.lower().split("_") if w]
    if not words:
        return False
    if words[0] in ("startup", "bootstrap"):
        return True
    if words[-1] == "startup" and words[0] in ("on", "app", "application", "run"):
        return True
    return words[-1] in ("app", "application") and words[0] in _APP_VERBS


@functools.lru_cache(maxsize=256)
def _function_kinds(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Top-level functions of a module text that contain a ``raise``, and those that cannot
    raise because their whole body is a ``try`` whose handler catches everything and logs
    (see :func:`_catches_all`)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return frozenset(), frozenset()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    functions = [stmt for stmt in tree.body if isinstance(stmt, kinds)]
    raising = frozenset(
        f.name for f in functions if any(isinstance(n, ast.Raise) for n in ast.walk(f))
    )
    return raising, frozenset(f.name for f in functions if _catches_all(f))


_CATCH_ALL = frozenset({"Exception", "BaseException"})


def _catches_all(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function already isolates itself: its body, besides a docstring,
    ``global``/``pass`` and ``return`` of a name or constant, is one ``try`` (no ``else``
    or ``finally``) with a handler for ``Exception`` (or ``BaseException``, or bare) and no
    ``raise`` in any handler. Such a function (``init_db`` falling back to a demo mode) cannot
    fail start-up; wrapping its call again only adds noise."""
    tries = []
    for i, stmt in enumerate(func.body):
        if isinstance(stmt, ast.Try):
            tries.append(stmt)
            continue
        harmless = (
            isinstance(stmt, (ast.Global, ast.Nonlocal, ast.Pass))
            or (
                isinstance(stmt, ast.Return)
                and (stmt.value is None or isinstance(stmt.value, (ast.Constant, ast.Name)))
            )
            or (i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        )
        if not harmless:
            return False
    if len(tries) != 1 or tries[0].orelse or tries[0].finalbody:
        return False
    handlers = tries[0].handlers
    if any(isinstance(n, ast.Raise) for h in handlers for n in ast.walk(h)):
        return False
    for handler in handlers:
        kind = handler.type
        types = kind.elts if isinstance(kind, ast.Tuple) else [kind]
        if kind is None or any(
            (isinstance(t, ast.Name) and t.id in _CATCH_ALL)
            or (isinstance(t, ast.Attribute) and t.attr in _CATCH_ALL)
            for t in types
        ):
            return True
    return False


def _objects(call: cst.Call, func: StartupFunction) -> set[str]:
    """The variables a start-up call starts: its receiver's root (``scheduler`` in
    ``scheduler.start()``) and the variables it is handed whole (``start_scheduler(scheduler)``;
    ``instrument_sqlalchemy(engine.sync_engine)`` starts no ``engine``). The app itself (the
    lifespan's first parameter) and ``self`` are passed to everything, so they do not count."""
    skip = {"self", "cls", "True", "False", "None"}
    params = func.node.params.params
    if params:
        skip.add(params[0].name.value)
    found = {arg.value.value for arg in call.args if isinstance(arg.value, cst.Name)}
    if isinstance(call.func, cst.Attribute):
        expr: cst.BaseExpression = call.func.value
        while isinstance(expr, (cst.Attribute, cst.Subscript, cst.Call)):
            expr = expr.value if not isinstance(expr, cst.Call) else expr.func
        if isinstance(expr, cst.Name):
            found.add(expr.value)
    return found - skip


_STOP_VERBS = frozenset(
    {
        "close",
        "aclose",
        "stop",
        "shutdown",
        "teardown",
        "disconnect",
        "cleanup",
        "dispose",
        "deinit",
        "deinitialize",
        "uninit",
        "terminate",
        "release",
        "destroy",
        "finalize",
        "unregister",
        "uninstrument",
    }
)
"""Verbs that undo a start (``close_redis`` undoes ``init_redis``)."""

_JOINED = (("set_up", "setup"), ("tear_down", "teardown"), ("shut_down", "shutdown"))


def _words(name: str) -> list[str]:
    """The ``_``-separated words of a callee's last name, lower case (``set_up`` is one word)."""
    last = name.rsplit(".", 1)[-1].lower()
    for split, joined in _JOINED:
        last = last.replace(split, joined)
    return [w for w in last.split("_") if w]


def _subject(words: list[str], is_verb: Callable[[str], bool]) -> tuple[str, ...]:
    """The name without its verb: ``redis`` for ``init_redis`` and ``close_redis``; empty when
    nothing is left (``start()``, ``close()``: the receiver says what they act on)."""
    for i, word in enumerate(words):
        if is_verb(word):
            return tuple(words[:i] + words[i + 1 :])
    return ()


def _start_subject(callee: str, init_words: Sequence[str]) -> tuple[str, ...]:
    """What a start-up call starts, by name: ``redis`` for ``init_redis``/``connect_redis``,
    ``scheduler`` for ``start_scheduler``."""
    prefixes = tuple(w.lower().replace("_", "") for w in init_words)
    return _subject(_words(callee), lambda word: word.startswith(prefixes))


def _stop_subject(name: str) -> tuple[str, ...]:
    """What a shutdown call stops, by name: ``redis`` for ``close_redis``."""
    return _subject(_words(name), lambda word: word in _STOP_VERBS)


_THREAD_CLASSES = frozenset({"Thread", "Timer"})
"""``threading.Thread`` and ``threading.Timer``: starting one runs the work in its own thread."""


def _thread_classes(module: cst.Module) -> set[str]:
    """``Thread``, ``Timer`` and the module's own classes built on them (``class
    Warmer(threading.Thread)``)."""
    found = set(_THREAD_CLASSES)
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and any(
            (dotted_name(base.value) or "").rsplit(".", 1)[-1] in _THREAD_CLASSES
            for base in stmt.bases
        ):
            found.add(stmt.name.value)
    return found


def _builds_thread(expr: cst.BaseExpression, classes: set[str]) -> bool:
    """``Thread(...)``, ``threading.Thread(...)``, ``Warmer(...)`` for a thread class."""
    return (
        isinstance(expr, cst.Call) and (dotted_name(expr.func) or "").rsplit(".", 1)[-1] in classes
    )


def _thread_variables(
    nodes: Sequence[cst.CSTNode], classes: set[str], descend: bool = True
) -> set[str]:
    """The targets (``worker``, ``app.state.worker``) assigned a new thread in ``nodes``
    (nested functions and classes aside; with ``descend`` False, only the top statements)."""
    found: set[str] = set()

    class _Assigns(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Assign(self, node: cst.Assign) -> None:
            if _builds_thread(node.value, classes):
                found.update(code_of(t.target) for t in node.targets)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if node.value is not None and _builds_thread(node.value, classes):
                found.add(code_of(node.target))

    visitor = _Assigns()
    for node in nodes:
        if descend or isinstance(node, cst.SimpleStatementLine):
            node.visit(visitor)
    return found


_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "route"}
    | {"websocket", "websocket_route"}
)
_DEPENDS = frozenset({"Depends", "Security"})


def _route_functions(
    tree: ast.Module,
) -> tuple[list[ast.FunctionDef | ast.AsyncFunctionDef], set[str], set[str]]:
    """The module's route handlers (``@app.get(...)``, ``@router.post(...)``) with the
    functions they depend on (``Depends(get_client)``), the names handed to ``Depends`` or
    ``Security`` anywhere in it (the last part of ``Depends(deps.get_client)``), and the names
    of the apps and routers its handlers are registered on."""
    handlers: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    dependencies: set[str] = set()
    registrars: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node)
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in _ROUTE_METHODS
                ):
                    handlers.append(node)
                    root = decorator.func.value
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name):
                        registrars.add(root.id)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            target = node.args[0]
            if called in _DEPENDS and isinstance(target, (ast.Name, ast.Attribute)):
                dependencies.add(target.id if isinstance(target, ast.Name) else target.attr)
    handlers += [f for f in functions if f.name in dependencies and f not in handlers]
    return handlers, dependencies, registrars


def _route_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names read by the module's route handlers and by the functions they depend on, and
    the names of the apps and routers those handlers are registered on."""
    handlers, _, registrars = _route_functions(tree)
    names = {
        node.id
        for handler in handlers
        for stmt in handler.body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Name)
    }
    return names, registrars


def _uses(
    functions: Sequence[ast.FunctionDef | ast.AsyncFunctionDef], names: set[str], dotted: set[str]
) -> bool:
    """Whether a body of ``functions`` reads one of ``names`` or a dotted ``module.object`` of
    ``dotted``."""
    for function in functions:
        for stmt in function.body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and node.id in names:
                    return True
                if dotted and isinstance(node, ast.Attribute) and _dotted(node) in dotted:
                    return True
    return False


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> ast.Module | None:
    """The syntax tree of a project module's text, or None when it does not parse."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _origin(index: ModuleIndex, module: str, name: str) -> tuple[str, str]:
    """The module that defines the object ``name`` reads in ``module``, and its name there,
    through the project's imports and re-exports (``session_manager`` imported from
    ``app.services``, which imports it from ``app.services.sessions``). A name from outside
    the project, or one the index cannot follow, stays where it was last seen."""
    for _ in range(8):
        info = index.get(module)
        if info is None or name in info.defines:
            break
        for rec in reversed(info.imports):  # the last import of a name wins
            if (
                rec.module_level
                and not rec.type_checking
                and rec.name not in (None, "*")
                and (rec.asname or rec.name) == name
            ):
                module, name = rec.module, str(rec.name)
                break
        else:
            break
    return module, name


def _class_expr(stmt: ast.stmt, name: str) -> ast.expr | None:
    """The class a module-level statement makes ``name`` an instance of (``name = Cls(...)``,
    ``name: Cls = ...``, ``name: Cls | None = None``), or the class itself (``class name``,
    for a class-level call such as ``Scheduler.start()``); None for anything else."""
    if isinstance(stmt, ast.ClassDef) and stmt.name == name:
        return ast.Name(id=name)
    if isinstance(stmt, ast.AnnAssign):
        if not (isinstance(stmt.target, ast.Name) and stmt.target.id == name):
            return None
        annotation = stmt.annotation
        if isinstance(annotation, ast.Subscript) and _dotted(annotation.value) in (
            "Optional",
            "typing.Optional",
        ):
            annotation = annotation.slice
        if (
            isinstance(annotation, ast.BinOp)
            and isinstance(annotation.op, ast.BitOr)
            and isinstance(annotation.right, ast.Constant)
            and annotation.right.value is None
        ):
            annotation = annotation.left
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            return annotation
        return None
    if isinstance(stmt, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in stmt.targets
    ):
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
            return value.func
    return None


def _calls(node: cst.CSTNode) -> bool:
    """Whether ``node`` calls anything (``state.pool = None`` cannot fail the way a call can)."""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            nonlocal found
            found = True
            return False

    node.visit(_Finder())
    return found


def _yields_here(line: cst.SimpleStatementLine) -> bool:
    """``yield``, ``yield {"engine": engine}`` or ``state = yield ...`` on this line."""
    return any(
        isinstance(getattr(small, "value", None), cst.Yield)
        or isinstance(getattr(getattr(small, "value", None), "expression", None), cst.Yield)
        for small in line.body
    )


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
        self.wrap: dict[int, tuple[str, str]] = {}
        """id of the statement line -> (the callee, "startup" or "shutdown"), for the log message."""
        self.logger: str | None = None
        self.columns: dict[int, int] = {}
        """id of the statement line -> its column, where the generated log call is indented from."""
        self.indent = 4
        """Width of the module's indentation unit."""
        self._handler_lines: list[cst.SimpleStatementLine] | None = None
        self._routes: tuple[set[str], set[str]] | None = None
        """Names the module's route handlers read, and the apps and routers they are on."""
        self._threads: set[str] | None = None
        """Names of the thread classes (``Thread``, the module's subclasses)."""
        self._thread_variables: dict[int, set[str]] = {}
        """id of a startup function -> the targets it (or the module) assigns a new thread."""

    def _project_function(self, callee: str) -> tuple[str, str, str] | None:
        """The project module, function name and module text a callee resolves to through
        the file's imports and the index (``init_cache`` imported from ``app.cache``), or
        None."""
        module = self.ctx.module_name
        if self.ctx.source is None or module is None:
            return None
        try:
            tree = self.ctx.source.tree()
        except (SyntaxError, ValueError, RecursionError):
            return None
        index = self.ctx.project.index
        info = index.get(module)
        bindings = import_bindings(tree, module, bool(info and info.is_package))
        head, _, rest = callee.partition(".")
        qualified = f"{bindings[head]}.{rest}" if head in bindings and rest else bindings.get(head)
        if qualified is None:
            qualified = f"{module}.{callee}" if "." not in callee else None
        if qualified is None or "." not in qualified:
            return None
        owner, _, function = qualified.rpartition(".")
        target = index.get(owner)
        if target is None:
            return None
        text = source_of(self.ctx.project, target.path)
        return (target.name, function, text) if text is not None else None

    def _raises_on_purpose(self, callee: str) -> str | None:
        """When the callee is a project function that raises (``connect_redis()`` turning a
        timeout into ``RuntimeError("Failed to connect to Redis")``): its author wants start-up
        to stop, which wrapping would undo."""
        found = self._project_function(callee)
        if found is not None and found[1] in _function_kinds(found[2])[0]:
            return f"{found[0]}.{found[1]} raises on purpose, so its author wants start-up to stop"
        method = self._raising_method(callee)
        if method is None:
            return None
        return f"{method} raises on purpose, so its author wants start-up to stop"

    def _raising_method(self, callee: str) -> str | None:
        """``module.Class.method`` when the callee is a method, with a ``raise``, of a project
        class that its receiver is built from or annotated with (``orchestrator.start_worker()``
        with ``orchestrator = Orchestrator()`` here or in the project module it is imported
        from), found in the class or its project base classes; None when the receiver is
        anything else (an attribute chain such as ``app.state.worker`` is not followed)."""
        module = self.ctx.module_name
        receiver, _, method = callee.rpartition(".")
        if module is None or not receiver:
            return None
        index = self.ctx.project.index
        head, _, rest = receiver.partition(".")
        where = (module, head)
        if rest:  # ``services.orchestrator``: only through an imported project module
            imported = self._module_alias(module, head)
            if imported is None:
                return None
            owner, _, name = f"{imported}.{rest}".rpartition(".")
            if index.get(owner) is None:
                return None
            where = (owner, name)
        owner, name = _origin(index, *where)
        tree = self._tree_of(owner)
        if tree is None:
            return None
        classes = [
            cls for cls in (_class_expr(stmt, name) for stmt in tree.body) if cls is not None
        ]
        for cls in classes:
            found = self._method_raises(owner, cls, method, depth=0)
            if found is not None:
                return found
        return None

    def _module_alias(self, module: str, alias: str) -> str | None:
        """The project module that ``alias`` names in ``module`` (``import app.services as
        services``, ``from app import services``, or ``app`` for ``import app.services``), or
        None when it names anything else."""
        index = self.ctx.project.index
        info = index.get(module)
        for rec in reversed(info.imports if info is not None else []):
            if not rec.module_level or rec.type_checking or rec.name == "*":
                continue
            if rec.name is None:
                bound = rec.asname or rec.module.partition(".")[0]
                named = rec.module if rec.asname else bound
            else:
                bound, named = rec.asname or rec.name, f"{rec.module}.{rec.name}"
            if bound == alias:
                return named if index.get(named) is not None else None
        return None

    def _method_raises(self, module: str, cls: ast.expr, method: str, depth: int) -> str | None:
        """``module.Class.method`` when the class that ``cls`` names in ``module`` (a project
        class) defines ``method`` with a ``raise``, itself or through the first of its project
        base classes that defines it."""
        name = _dotted(cls)
        if name is None or depth > 5:
            return None
        index = self.ctx.project.index
        if "." in name:  # ``models.Orchestrator``: only through an imported project module
            head, _, rest = name.partition(".")
            imported = self._module_alias(module, head)
            if imported is None:
                return None
            module, _, name = f"{imported}.{rest}".rpartition(".")
        owner, name = _origin(index, module, name)
        tree = self._tree_of(owner)
        if tree is None:
            return None
        for stmt in tree.body:
            if not isinstance(stmt, ast.ClassDef) or stmt.name != name:
                continue
            for item in stmt.body:
                if (
                    isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and item.name == method
                ):
                    if any(isinstance(n, ast.Raise) for n in ast.walk(item)):
                        return f"{owner}.{name}.{method}"
                    return None  # defined here without a raise: the bases do not matter
            for base in stmt.bases:
                found = self._method_raises(owner, base, method, depth + 1)
                if found is not None:
                    return found
            return None
        return None

    def _serves_routes(self, call: cst.Call, func: StartupFunction) -> str | None:
        """When the started object is what the module's route handlers (or their dependencies)
        use (a backend client every request forwards to): without it the app starts and then
        fails every request, so it is no optional service."""
        if self._routes is None:
            try:
                tree = self.ctx.source.tree() if self.ctx.source is not None else None
            except (SyntaxError, ValueError, RecursionError):
                tree = None
            self._routes = _route_names(tree) if tree is not None else (set(), set())
        names, registrars = self._routes
        objects = _objects(call, func) - registrars
        used = objects & names
        if used:
            return (
                f"this module's route handlers use {', '.join(sorted(used))}, so the app would "
                "start and then fail its requests"
            )
        for name in sorted(objects):
            elsewhere = self._routes_elsewhere(name)
            if elsewhere is not None:
                return (
                    f"route handlers in {elsewhere} use {name}, so the app would start and then "
                    "fail their requests"
                )
        return None

    def _routes_elsewhere(self, name: str) -> str | None:
        """The first other project module whose route handlers (or the ``Depends`` functions
        they name) use the object ``name`` reads here: importing it (``from app.sessions
        import session_manager``, or from this module), or defining it. A ``Depends``
        function in a third module counts too (``get_sessions`` in ``app.deps``, named by
        ``Depends`` in ``app.routes``). Only the modules whose imports (in the index) bind the
        object are parsed."""
        module = self.ctx.module_name
        if module is None:
            return None
        index = self.ctx.project.index
        origin = _origin(index, module, name)
        if origin[0] == module and origin[1] not in getattr(index.get(module), "defines", ()):
            return None  # a local of the start-up function, not a module-level object
        for other, names, dotted in self._importers(origin, exclude=module):
            tree = self._tree_of(other)
            if tree is None:
                continue
            handlers, _, _ = _route_functions(tree)
            if _uses(handlers, names, dotted):
                return other
            helpers = {
                stmt.name
                for stmt in tree.body
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
                and _uses([stmt], names, dotted)
            }
            for helper in sorted(helpers):
                for user, locals_, attributes in self._importers((other, helper), exclude=None):
                    used_tree = self._tree_of(user)
                    if used_tree is None:
                        continue
                    dependencies = _route_functions(used_tree)[1]
                    last = {d.rsplit(".", 1)[-1] for d in attributes}
                    if dependencies & (locals_ | last):
                        return user
        return None

    def _importers(
        self, origin: tuple[str, str], exclude: str | None
    ) -> list[tuple[str, set[str], set[str]]]:
        """The project modules (but ``exclude``) that can read the object ``origin`` (its
        module and name), with the local names bound to it (``from app.sessions import
        session_manager as sessions``) and the dotted names that read it through a module
        (``sessions.session_manager`` after ``from app import sessions``), from the index."""
        index = self.ctx.project.index
        found: list[tuple[str, set[str], set[str]]] = []
        resolved: dict[tuple[str, str], tuple[str, str]] = {}
        for info in index.unique_modules():
            if info.name == exclude:
                continue
            names: set[str] = {origin[1]} if info.name == origin[0] else set()
            dotted: set[str] = set()
            for rec in info.imports:
                if rec.type_checking or rec.name == "*":
                    continue
                if rec.name is None:
                    if rec.module == origin[0]:
                        dotted.add(f"{rec.asname or rec.module}.{origin[1]}")
                    continue
                if f"{rec.module}.{rec.name}" == origin[0]:
                    dotted.add(f"{rec.asname or rec.name}.{origin[1]}")
                    continue
                key = (rec.module, rec.name)
                if key not in resolved:
                    resolved[key] = _origin(index, *key)
                if resolved[key] == origin:
                    names.add(rec.asname or rec.name)
            if names or dotted:
                found.append((info.name, names, dotted))
        return found

    def _tree_of(self, module: str) -> ast.Module | None:
        """The syntax tree of a project module, from the project's texts (or its file)."""
        info = self.ctx.project.index.get(module)
        text = source_of(self.ctx.project, info.path) if info is not None else None
        return _parsed(text) if text is not None else None

    def _isolates_itself(self, callee: str) -> bool:
        """Whether the callee is a project function that already catches every exception
        around its whole body (see :func:`_catches_all`)."""
        found = self._project_function(callee)
        return found is not None and found[1] in _function_kinds(found[2])[1]

    def _shutdown_lines(
        self, module: cst.Module, func: StartupFunction
    ) -> list[cst.SimpleStatementLine]:
        """The statement lines that run at shutdown outside a ``try`` with handlers: after the
        lifespan's ``yield`` (its ``finally`` too), and in the module's shutdown handlers."""
        if self._handler_lines is None:
            text = self.ctx.source.text if self.ctx.source is not None else None
            handlers = shutdown_handlers(module) if text is None or "shutdown" in text else []
            self._handler_lines = [
                line
                for handler in handlers
                if isinstance(handler.body, cst.IndentedBlock)
                for line in _unguarded_statements(handler.body.body, finally_too=True)
            ]
        return _unguarded_statements(func.shutdown_body(), finally_too=True) + self._handler_lines

    @staticmethod
    def _stopping(
        lines: list[cst.SimpleStatementLine], shared: set[str], subject: tuple[str, ...]
    ) -> list[tuple[cst.SimpleStatementLine, set[str]]]:
        """The shutdown lines that stop what the start-up call starts, with the names that
        tie them to it: a ``shared`` object (``scheduler.shutdown()`` after
        ``scheduler.start()``), or a call named for the same ``subject`` with a stop verb
        (``close_redis()`` after ``init_redis()``)."""
        found = []
        for line in lines:
            if _yields_here(line):
                continue  # the ``yield`` (handing objects to the app) is not shutdown work
            used = names_used([line])
            ties = (used & shared) | {
                name for name in used if subject and _stop_subject(name) == subject
            }
            if ties:
                found.append((line, ties))
        return found

    def _plan_shutdown(
        self, stopping: list[tuple[cst.SimpleStatementLine, set[str]]]
    ) -> list[tuple[cst.SimpleStatementLine, str]] | None:
        """The shutdown calls to isolate with the start-up call (a failed start leaves them
        stopping what never started); None when one cannot be wrapped."""
        planned: list[tuple[cst.SimpleStatementLine, str]] = []
        for line, _ in stopping:
            if len(line.body) != 1:
                return None
            found = init_call(line.body[0])
            if found is not None:
                planned.append((line, code_of(found[0].func)))
            elif not isinstance(line.body[0], (cst.Assign, cst.AnnAssign, cst.Pass)) or (
                _calls(line.body[0])
            ):
                # A statement that may raise, but not one call (``closed = await
                # disconnect_broker()``): leave it all alone.
                return None
        return planned

    def _starts_thread(self, call: cst.Call, func: StartupFunction, module: cst.Module) -> bool:
        """Whether ``call`` starts a thread (``Thread(target=load).start()``, or ``worker.start()``
        with ``worker = Thread(...)`` in the function or at module level): the thread is the
        isolation already (its failure stays in it), and wrapping the start could leave flags
        it sets unset for good."""
        if not isinstance(call.func, cst.Attribute):
            return False
        if self._threads is None:
            self._threads = _thread_classes(module)
        receiver = call.func.value
        if _builds_thread(receiver, self._threads):
            return True
        variables = self._thread_variables.get(id(func.node))
        if variables is None:
            variables = _thread_variables([func.node.body], self._threads)
            variables |= _thread_variables(module.body, self._threads, descend=False)
            self._thread_variables[id(func.node)] = variables
        return code_of(receiver) in variables

    def visit_Module(self, node: cst.Module) -> bool:
        words = self.ctx.options.get("init-words", DEFAULT_INIT_WORDS)
        required = self.ctx.options.get("required-services", [])
        self.logger = module_logger(node)
        for func in startup_functions(node, _walk.tree_of(self.ctx)):
            later: list[cst.SimpleStatementLine] | None = None
            for line in _unguarded_statements(func.startup_body()):
                for small in line.body:
                    found = init_call(small)
                    if found is None:
                        continue
                    name = callee_name(found[0])
                    if name is None or not is_init_name(name, words) or matches_any(name, required):
                        continue
                    if self._starts_thread(found[0], func, node) or self._isolates_itself(name):
                        continue  # its failure cannot stop start-up
                    message = (
                        f"{name}() in {func.kind} {func.name} is not isolated: if it raises, the "
                        "whole app fails to start; wrap it so the failure is logged and startup "
                        "continues, or list it in required-services to fail fast on purpose"
                    )
                    if len(line.body) != 1:
                        self.report(small, message + " (not changed: it shares its line)")
                        continue
                    essential = (
                        _essential(name)
                        or self._raises_on_purpose(name)
                        or self._serves_routes(found[0], func)
                    )
                    if essential:
                        self.report(
                            small,
                            f"{message} (not changed: {essential}; wrap it yourself if it is "
                            "optional)",
                        )
                        continue
                    if later is None:
                        later = self._shutdown_lines(node, func)
                    shared = _objects(found[0], func)
                    subject = _start_subject(name, words)
                    stopping = self._stopping(later, shared, subject) if shared or subject else []
                    stops = self._plan_shutdown(stopping)
                    if stops is None:
                        ties = sorted(set().union(*(t for _, t in stopping)))
                        self.report(
                            small,
                            f"{message} (not changed: the shutdown uses {', '.join(ties)} in a "
                            "statement that cannot be isolated, and would then stop what never "
                            "started)",
                        )
                        continue
                    if stops:
                        message += (
                            "; the shutdown calls that stop it ("
                            + ", ".join(f"{callee}()" for _, callee in stops)
                            + ") are isolated too, since they may stop what never started"
                        )
                    if self.report(small, message, fix=Fix.UNSAFE):
                        for target, callee, phase in [
                            (line, code_of(found[0].func), "startup"),
                            *((stop, callee, "shutdown") for stop, callee in stops),
                        ]:
                            if id(target) in self.wrap:
                                continue
                            self.wrap[id(target)] = (callee, phase)
                            position = self.position(target)
                            self.columns[id(target)] = position.start.column if position else 0
        self.indent = len(node.default_indent.expandtabs())
        return bool(self.wrap)  # nothing planned: skip the transforming traversal

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        planned = self.wrap.get(id(original_node))
        if planned is None:
            return updated_node
        name, phase = planned
        log = string_literal(
            f"{name}() failed at startup; continuing without it"
            if phase == "startup"
            else f"{name}() failed at shutdown"
        )
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
