"""Middleware that run in the wrong order let rejected requests escape CORS, headers and tracing.

In Starlette the order of *registration* is not the order of *execution*: ``app.add_middleware``
inserts at the front of ``app.user_middleware``, so the last one added is the outermost and sees the
request first; ``FastAPI(middleware=[A, B])`` runs A outside B, and inside every ``add_middleware``
one. When CORS runs inside the rate limiter, a 429 has no ``Access-Control-Allow-Origin`` and the
browser cannot read it; when request tracking runs innermost, rejected requests are never traced. The
review's advice ("security headers before CORS") is in registration order; taken literally by a tool
that sorts calls in the order it wants them to run, the stack comes out exactly backwards.

The rule computes the execution order (outermost first) of each app's registrations in one scope
(module or function, including helpers such as ``setup_middleware(app)``), checks it against a policy
of pairwise "outer > inner" constraints, and rewrites the registrations so that execution follows the
policy: a stable topological sort that moves as few registrations as it can; pairs the policy says
nothing about keep their relative order. The finding names each broken constraint with its reason and
shows the request path before and after (``request -> A -> B -> app``).

Fix (safe when only known middleware swap places): registration statements move with the comment lines
directly above them; an ``if`` block (or ``if``/``elif``/``else`` chain) whose branches hold only
registrations moves as a unit; ``@app.middleware`` functions (also under an ``if``),
``app.middleware("http")(function)`` calls and ``FastAPI(middleware=[...])`` elements take part too.
Registrations in an ``if`` block that also does other work count where they run, but the block never
moves: an order it breaks is reported, not changed. Any other statement between
registrations pins them: the rule reports and does not reorder across it (nor move constructor
middleware out of the constructor). A move that swaps a middleware no category pattern matches is an
unsafe fix: archfix cannot know that custom middleware does not depend on its position. Declare your
own middleware under a category (``application`` for app-specific ones) to make such moves safe.
Only ASGI apps count: receivers bound to ``FastAPI(...)``/``Starlette(...)`` or annotated as such.

Options (``[tool.archfix.middleware-order]``): ``categories`` maps a category to class-name patterns
(globs, case- and underscore-insensitive, or ``re:<regex>``); it extends and overrides the defaults.
``constraints`` replaces the default list; each entry reads ``"outer > inner1, inner2: reason"``
(``*`` as inner means every other category; unmatched middleware count as ``application``). An entry
starting with ``prefer`` is a preference: reported like the others, but the move it asks for is an
unsafe fix. The default "rate limiting outside auth, sessions and the database" is one, since a
limiter keyed on ``request.user`` or the session needs those outside it.

Example::

    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
    app.add_middleware(RateLimitMiddleware)   # added last: outermost, so a 429 skips CORS
    # request -> RateLimitMiddleware -> CORSMiddleware -> app

becomes::

    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
    # request -> CORSMiddleware -> RateLimitMiddleware -> app
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import libcst as cst

from archfix.codemods import _walk
from archfix.codemods._cst import dotted_name
from archfix.codemods._middleware import (
    ScopeCollector,
    handed_over,
    private_list,
    rebound_names,
)
from archfix.codemods.base import FileCodemod, function_defs
from archfix.config import Option
from archfix.models import Fix

APPLICATION = "application"
"""The category of middleware no pattern matches (and of app-specific ones the user declares)."""

DEFAULT_CATEGORIES: dict[str, list[str]] = {
    "https": ["*HTTPSRedirect*", "*TrustedHost*"],
    "tracking": [
        "*RequestTracking*",
        "*RequestID*",
        "*CorrelationID*",
        "*TraceContext*",
        "*Tracing*",
        "*RequestLog*",
        "*AccessLog*",
        "*OpenTelemetry*",
    ],
    "error-reporting": ["Sentry*", "*Rollbar*", "*Bugsnag*", "*Honeybadger*", "*Airbrake*"],
    "security-headers": ["*SecurityHeaders*", "*SecureHeaders*"],
    "cors": ["*CORS*"],
    "database": ["*DBSession*", "*Database*", "*SQLAlchemy*"],
    "session": ["*Session*"],
    "auth": ["*Authentication*", "*AuthMiddleware*", "*Authorization*", "*JWT*"],
    "csrf": ["*CSRF*"],
    "rate-limit": ["*RateLimit*", "*Throttl*", "SlowAPI*"],
    "security-monitoring": ["*SecurityMonitoring*", "*Intrusion*"],
    "metrics": ["*Prometheus*", "*Metrics*", "*Instrumentator*"],
    "compression": ["*GZip*", "*Brotli*", "*Compression*"],
    "errors": [
        "*ErrorHandl*",
        "*ExceptionHandl*",
        "*ErrorMiddleware*",
        "*ExceptionMiddleware*",
        "*ErrorResponse*",
    ],
    APPLICATION: [],
}
"""Category -> class-name patterns, tried in this order (database before session: DBSession)."""

_REJECTORS = "rate-limit, csrf, auth, session, security-monitoring, database, application"

DEFAULT_CONSTRAINTS: list[str] = [
    "https > *: redirect or reject plain-HTTP and unknown hosts before any work is done",
    f"tracking > cors, {_REJECTORS}, errors: rejected and short-circuited requests must still "
    "be traced",
    "security-headers > cors, rate-limit, csrf, auth, session, security-monitoring, errors: "
    "rejections, error responses and CORS preflights must carry the security headers too",
    f"cors > {_REJECTORS}, errors: a 401/403/429 must stay readable by the browser (an error "
    "handler's 500 too), and a preflight must not hit auth",
    "session > csrf, auth: CSRF and auth read the session",
    f"errors > {_REJECTORS}, error-reporting: an exception raised in any of them must still get "
    "the error handler's response, and an error reporter must see it before the handler turns it "
    "into one",
    "rate-limit > csrf: shed load before the expensive work",
    "prefer rate-limit > security-monitoring, auth, session, database, application: shed load "
    "before the expensive work (a preference: a limiter keyed on the user or the session needs "
    "auth or the session outside it)",
]

_SECTION_RULE = re.compile(r"[-=*#~_]{3,}")


def _normal(name: str) -> str:
    return name.replace("_", "").lower()


@dataclass(frozen=True)
class Constraint:
    """``outer`` must run outside every category in ``inners`` (in execution order).

    A *preferred* constraint (``prefer outer > inner: reason``) is reported like the others, but
    a move it asks for is an unsafe fix: the inner middleware may be what the outer one reads (a
    rate limiter keyed on ``request.user`` needs authentication outside it).
    """

    outer: str
    inners: tuple[str, ...]
    reason: str
    preferred: bool = False

    @classmethod
    def parse(cls, text: str, categories: Sequence[str]) -> Constraint:
        preferred = text.lstrip().startswith("prefer ")
        if preferred:
            text = text.lstrip()[len("prefer ") :]
        head, sep, reason = text.partition(":")
        outer, gt, inner_text = head.partition(">")
        if not sep or not gt or not outer.strip() or not inner_text.strip():
            raise ValueError(
                f"[tool.archfix.middleware-order] constraint {text!r}: "
                "write 'outer > inner1, inner2: reason'"
            )
        outer = outer.strip()
        inners = [i.strip() for i in inner_text.split(",") if i.strip()]
        if "*" in inners:
            inners = [c for c in categories if c != outer]
        for name in (outer, *inners):
            if name not in categories:
                raise ValueError(
                    f"[tool.archfix.middleware-order] constraint {text!r}: unknown category {name!r}"
                )
        return cls(outer, tuple(inners), reason.strip(), preferred)


@dataclass(frozen=True)
class Policy:
    """Category patterns and pairwise constraints, as configured."""

    categories: Mapping[str, Sequence[str]]
    constraints: Sequence[Constraint]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Policy:
        categories = {**DEFAULT_CATEGORIES, **dict(options.get("categories") or {})}
        categories.setdefault(APPLICATION, [])
        names = list(categories)
        texts = options.get("constraints") or DEFAULT_CONSTRAINTS
        return cls(categories, [Constraint.parse(t, names) for t in texts])

    def classify(self, name: str) -> str | None:
        """The category of a middleware class (or ``@app.middleware`` function), None if unknown."""
        normal = _normal(name)
        for category, patterns in self.categories.items():
            for pattern in patterns:
                if pattern.startswith("re:"):
                    if re.search(pattern[3:], name):
                        return category
                elif fnmatch.fnmatchcase(normal, _normal(pattern)):
                    return category
        return None

    def rule_for(self, outer: str, inner: str) -> Constraint | None:
        for constraint in self.constraints:
            if constraint.outer == outer and inner in constraint.inners:
                return constraint
        return None


@dataclass
class Unit:
    """Registrations that move together: one statement, an ``if`` block, or a constructor element."""

    names: list[str]
    """Middleware in this unit, in execution order (outermost first)."""
    node: cst.CSTNode
    segment: int
    """Units can only be reordered among units of the same segment."""
    categories: list[str] = field(default_factory=list)
    known: bool = True
    alternatives: list[list[str]] | None = None
    """An ``if``/``else`` unit: each branch's names (one branch runs); ``names`` is their union."""

    @property
    def label(self) -> str:
        branches = self.alternatives or [self.names]
        texts = list(dict.fromkeys(" -> ".join(b) or "none" for b in branches))
        if len(texts) == 1:
            return texts[0] if len(branches[0]) == 1 else f"[{texts[0]}]"
        return f"[{' | '.join(texts)}]"


@dataclass
class _Run:
    """Consecutive registration statements of one app in one block (a segment)."""

    slots: list[int] = field(default_factory=list)
    """Indexes in the block's body."""
    units: list[Unit] = field(default_factory=list)


@dataclass
class _Plan:
    """A reordering decided during analysis and applied in ``leave_*``."""

    order: dict[int, list[cst.CSTNode]] = field(default_factory=dict)
    """id(block body statement or list) -> new nodes for its reorderable slots."""


def _add_call(stmt: cst.CSTNode, apps: set[str]) -> tuple[str, str] | None:
    """(receiver, class name) when ``stmt`` is a lone ``app.add_middleware(X, ...)`` line."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    call = small.value
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "add_middleware"):
        return None
    receiver = dotted_name(func.value)
    if receiver is None or receiver not in apps or not call.args or call.args[0].keyword:
        return None
    name = dotted_name(call.args[0].value)
    if name is None:
        return None
    return receiver, name.rsplit(".", 1)[-1]


def _decorator_registration(stmt: cst.CSTNode, apps: set[str]) -> tuple[str, str] | None:
    """(receiver, function name) for ``@app.middleware("http")`` functions."""
    if not isinstance(stmt, cst.FunctionDef):
        return None
    for decorator in stmt.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        if call.func.attr.value != "middleware":
            continue
        receiver = dotted_name(call.func.value)
        if receiver in apps:
            return receiver, stmt.name.value  # type: ignore[return-value]
    return None


def _call_form(stmt: cst.CSTNode, apps: set[str]) -> tuple[str, str] | None:
    """(receiver, function name) for ``app.middleware("http")(function)`` lines."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    outer = small.value
    inner = outer.func
    if not isinstance(inner, cst.Call) or not isinstance(inner.func, cst.Attribute):
        return None
    if inner.func.attr.value != "middleware" or len(outer.args) != 1 or outer.args[0].keyword:
        return None
    receiver = dotted_name(inner.func.value)
    function = dotted_name(outer.args[0].value)
    if receiver not in apps or function is None:
        return None
    return receiver, function.rsplit(".", 1)[-1]  # type: ignore[return-value]


def _registration(stmt: cst.CSTNode, apps: set[str]) -> tuple[str, str] | None:
    """(receiver, middleware name) when ``stmt`` registers one middleware on an app."""
    return _add_call(stmt, apps) or _decorator_registration(stmt, apps) or _call_form(stmt, apps)


def _branches(stmt: cst.If) -> list[Sequence[cst.BaseStatement]] | None:
    """The bodies of an ``if``/``elif``/``else`` chain, None when one is not an indented block."""
    bodies: list[Sequence[cst.BaseStatement]] = []
    node: cst.If | cst.Else | None = stmt
    while node is not None:
        if not isinstance(node.body, cst.IndentedBlock):
            return None
        bodies.append(node.body.body)
        node = node.orelse if isinstance(node, cst.If) else None
    return bodies


def _unit_of(
    stmt: cst.CSTNode, apps: set[str]
) -> tuple[str, list[str], list[list[str]] | None] | None:
    """(receiver, names in execution order, the branches' names for an if/else) when ``stmt``
    is a movable registration unit: one registration, or an ``if`` chain whose every branch only
    registers middleware on the same app (it runs one branch, at that place in the stack)."""
    found = _registration(stmt, apps)
    if found is not None:
        return found[0], [found[1]], None
    if not isinstance(stmt, cst.If):
        return None
    bodies = _branches(stmt)
    if bodies is None:
        return None
    receivers: set[str] = set()
    alternatives: list[list[str]] = []
    for body in bodies:
        inner = [_registration(s, apps) for s in body]
        if not inner or any(i is None for i in inner):
            return None
        receivers |= {i[0] for i in inner if i is not None}
        alternatives.append([i[1] for i in reversed(inner) if i is not None])
    if len(receivers) != 1:
        return None
    names = list(dict.fromkeys(name for branch in alternatives for name in branch))
    return receivers.pop(), names, alternatives if len(alternatives) > 1 else None


def _mixed_block(
    stmt: cst.CSTNode, apps: set[str], app: str
) -> tuple[list[str], list[list[str]] | None] | None:
    """(names in execution order, each branch's names) of ``app``'s registrations at the top of
    an ``if`` chain's branches that also hold other statements; None when there are none."""
    if not isinstance(stmt, cst.If):
        return None
    bodies = _branches(stmt)
    if bodies is None:
        return None
    alternatives: list[list[str]] = []
    for body in bodies:
        found = [_registration(s, apps) for s in body]
        alternatives.append([f[1] for f in reversed(found) if f is not None and f[0] == app])
    names = list(dict.fromkeys(name for branch in alternatives for name in branch))
    if not names:
        return None
    return names, alternatives if len(alternatives) > 1 else None


def _ctor_elements(
    stmt: cst.CSTNode, collector: ScopeCollector
) -> tuple[str, cst.List | cst.Tuple, list[str], cst.CSTNode] | None:
    """(app name, the middleware list, class names, the statement holding the list) for
    ``app = FastAPI(middleware=[...])``, or a list held in a variable only that app reads."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    if not isinstance(target, cst.Name) or not collector.is_app_call(small.value):
        return None
    call = small.value
    assert isinstance(call, cst.Call)
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "middleware":
            continue
        seq = arg.value
        holder: cst.CSTNode = stmt
        if isinstance(seq, cst.Name) and collector.scope_body is not None:
            held = private_list(collector.scope_body, stmt, seq.value)
            if held is not None:
                seq, holder = held
        if not isinstance(seq, (cst.List, cst.Tuple)):
            return None
        names: list[str] = []
        for element in seq.elements:
            value = element.value
            if not isinstance(element, cst.Element) or not isinstance(value, cst.Call):
                return None
            func = dotted_name(value.func)
            if func is None or func.rsplit(".", 1)[-1] != "Middleware" or not value.args:
                return None
            cls_name = dotted_name(value.args[0].value)
            if cls_name is None or value.args[0].keyword is not None:
                return None
            names.append(cls_name.rsplit(".", 1)[-1])
        return target.value, seq, names, holder
    return None


def _binds(stmt: cst.BaseStatement, name: str) -> bool:
    """Whether ``stmt`` binds ``name`` to another object (registrations after it go there).

    ``app = configure(app)`` hands the app to a helper that returns it (Phoenix's
    ``_add_get_secret_method(app=app, ...)``; ``add_middleware`` after it shows it is still an
    app): the same stack continues. Removing registrations (duplicate-middleware) takes the
    stricter view; here the rebinding statement still pins the registrations around it.
    """
    if isinstance(stmt, cst.SimpleStatementLine) and not any(
        isinstance(s, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Import, cst.ImportFrom))
        for s in stmt.body
    ):
        return False
    if (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and name in handed_over(stmt.body[0])
    ):
        return False
    return name in rebound_names(stmt)


def chain(labels: Sequence[str]) -> str:
    return " -> ".join(["request", *labels, "app"])


def _closure(n: int, edges: set[tuple[int, int]]) -> list[list[bool]]:
    reach = [[False] * n for _ in range(n)]
    for a, b in edges:
        reach[a][b] = True
    for k in range(n):
        for i in range(n):
            if reach[i][k]:
                row_k = reach[k]
                row_i = reach[i]
                for j in range(n):
                    if row_k[j]:
                        row_i[j] = True
    return reach


def _keep_most(n: int, reach: list[list[bool]], budget: int = 200_000) -> list[int]:
    """The largest set of units that can stay where they are (no constraint broken among them).

    A maximum independent set of the conflict graph by branch and bound; stacks are small. When the
    search budget runs out, the best set found so far is used (it is still a valid set).
    """
    conflicts = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if reach[j][i]:  # j is after i now, but must be outside it
                conflicts[i] |= 1 << j
                conflicts[j] |= 1 << i
    best: list[int] = []
    steps = 0

    def search(index: int, allowed: int, chosen: list[int]) -> None:
        nonlocal best, steps
        steps += 1
        if len(chosen) > len(best):
            best = list(chosen)
        if index >= n or steps > budget:
            return
        if len(chosen) + bin(allowed >> index).count("1") <= len(best):
            return
        if allowed >> index & 1:
            chosen.append(index)
            search(index + 1, allowed & ~conflicts[index], chosen)
            chosen.pop()
        if conflicts[index] & allowed:
            search(index + 1, allowed & ~(1 << index), chosen)

    search(0, (1 << n) - 1, [])
    return best


def desired_order(n: int, edges: set[tuple[int, int]]) -> list[int] | None:
    """Positions 0..n-1 (current execution order) rearranged to satisfy ``edges`` (outer, inner).

    Keeps a maximum set of units in their relative order and inserts the others as early as the
    constraints allow, preferring the current order (a stable topological sort). None on a cycle.
    """
    reach = _closure(n, edges)
    if any(reach[i][i] for i in range(n)):
        return None
    kept = _keep_most(n, reach)
    succ = [[j for j in range(n) if reach[i][j]] for i in range(n)]
    for a, b in itertools.pairwise(kept):
        succ[a].append(b)
    indegree = [0] * n
    for i in range(n):
        for j in set(succ[i]):
            indegree[j] += 1
    ready = sorted(i for i in range(n) if indegree[i] == 0)
    order: list[int] = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for j in set(succ[i]):
            indegree[j] -= 1
            if indegree[j] == 0:
                ready.append(j)
        ready.sort()
    return order if len(order) == n else None


_Block = TypeVar("_Block", cst.Module, cst.IndentedBlock)


class MiddlewareOrder(_walk.Pruning, FileCodemod):
    """Reorder middleware registrations so requests pass them in a safe, explained order."""

    id = "middleware-order"
    title = "Register middleware so they execute in a safe order"
    section = "3.1 Middleware Registration Order"
    fixable = Fix.SAFE
    triggers = ("add_middleware", "middleware=", ".middleware(")
    priority = 40
    options: ClassVar = {
        "app-classes": Option(
            "list[str]", ["FastAPI", "Starlette"], "Constructors whose result is an ASGI app."
        ),
        "categories": Option(
            "dict[str,list[str]]",
            {},
            "Category -> middleware class-name patterns (globs or re:...); extends the defaults.",
        ),
        "constraints": Option(
            "list[str]",
            [],
            "'outer > inner, ...: reason' pairs in execution order; replaces the defaults.",
        ),
    }

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self.policy = Policy.from_options(ctx.options)
        self.plan = _Plan()
        self.ctor_statements: dict[int, int] = {}
        """id(constructor middleware list) -> id(the statement holding it)."""
        self.mixed_blocks: set[int] = set()
        """ids of ``if`` blocks that register middleware among other statements (never moved)."""

    # -- analysis -------------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        app_classes = self.ctx.options.get("app-classes", ["FastAPI", "Starlette"])
        imports_framework = any("fastapi" in line or "starlette" in line for line in self.ctx.lines)
        module_scope = ScopeCollector(app_classes, implicit_app_params=False)
        module_scope.collect(node.body, (), None)
        self._scope(node.body, module_scope)
        for func in function_defs(node):
            scope = ScopeCollector(app_classes, implicit_app_params=imports_framework)
            scope.apps |= module_scope.apps
            scope.add_params(func.params)
            if not isinstance(func.body, cst.IndentedBlock):
                continue
            scope.collect(func.body.body, (), None)
            self._scope(func.body.body, scope)
        if not self.plan.order:
            return False  # nothing planned: skip the transforming traversal
        if _walk.ENABLED:
            # Enter only the blocks that reorder and the statements holding a reordered list.
            lists = {self.ctor_statements[k] for k in self.plan.order if k in self.ctor_statements}
            moved = [k for k in self.plan.order if k not in self.ctor_statements]
            self.prune(_walk.route_to(node, enter=moved, whole=lists))
        return True

    def _scope(self, body: Sequence[cst.BaseStatement], collector: ScopeCollector) -> None:
        """Analyse one scope's statements, per app receiver."""
        apps = collector.apps
        receivers: dict[str, None] = {}
        for stmt in body:
            found = _unit_of(stmt, apps)
            if found is not None:
                receivers[found[0]] = None
            ctor = _ctor_elements(stmt, collector)
            if ctor is not None:
                receivers[ctor[0]] = None
        for receiver in receivers:
            self._app(body, collector, receiver)

    def _app(self, body: Sequence[cst.BaseStatement], collector: ScopeCollector, app: str) -> None:
        """Each binding of ``app`` in the scope is another app object: judged on its own."""
        start = 0
        for index, stmt in enumerate(body):
            if index > start and _binds(stmt, app):
                self._app_object(body, start, index, collector, app)
                start = index
        self._app_object(body, start, len(body), collector, app)

    def _app_object(
        self,
        body: Sequence[cst.BaseStatement],
        start: int,
        stop: int,
        collector: ScopeCollector,
        app: str,
    ) -> None:
        ctor: tuple[cst.List | cst.Tuple, list[str]] | None = None
        runs: list[_Run] = []
        current: _Run | None = None
        pins: list[cst.CSTNode] = []
        ended_by: cst.CSTNode | None = None
        started = False
        for index in range(start, stop):
            stmt = body[index]
            found = _unit_of(stmt, collector.apps)
            if found is not None and found[0] == app:
                if current is None:
                    current = _Run()
                    runs.append(current)
                    if ended_by is not None:
                        pins.append(ended_by)
                        ended_by = None
                current.slots.append(index)
                current.units.append(Unit(found[1], stmt, segment=0, alternatives=found[2]))
                started = True
                continue
            mixed = _mixed_block(stmt, collector.apps, app)
            if mixed is not None:
                # Registrations in an ``if`` that also does other work: they take their place
                # in the stack, but the block cannot move, and it pins the others.
                if current is not None or ended_by is not None:
                    pins.append(stmt)
                self.mixed_blocks.add(id(stmt))
                runs.append(_Run([index], [Unit(mixed[0], stmt, segment=0, alternatives=mixed[1])]))
                current, ended_by, started = None, stmt, True
                continue
            if not started:
                ctor_found = _ctor_elements(stmt, collector)
                if ctor_found is not None and ctor_found[0] == app:
                    ctor = (ctor_found[1], ctor_found[2])
                    self.ctor_statements[id(ctor_found[1])] = id(ctor_found[3])
                continue
            if current is not None:
                ended_by = stmt
            current = None
        # Execution order: the last run's last statement is outermost; constructor middleware last.
        units: list[Unit] = []
        segments = 0
        for run in reversed(runs):
            for unit in reversed(run.units):
                unit.segment = segments
                units.append(unit)
            segments += 1
        ctor_units: list[Unit] = []
        if ctor is not None:
            seq, names = ctor
            for element, name in zip(seq.elements, names, strict=True):
                ctor_units.append(Unit([name], element, segment=segments))
            units.extend(ctor_units)
        if len(units) < 2:
            return
        self._judge(app, units, runs, ctor, ctor_units, pins)

    def _judge(
        self,
        app: str,
        units: list[Unit],
        runs: list[_Run],
        ctor: tuple[cst.List | cst.Tuple, list[str]] | None,
        ctor_units: list[Unit],
        pins: list[cst.CSTNode],
    ) -> None:
        policy = self.policy
        for unit in units:
            cats = [policy.classify(name) for name in unit.names]
            unit.known = all(c is not None for c in cats)
            unit.categories = [c or APPLICATION for c in cats]
        n = len(units)
        edges: set[tuple[int, int]] = set()
        reasons: dict[tuple[int, int], Constraint] = {}
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                for ci in units[i].categories:
                    for cj in units[j].categories:
                        rule = policy.rule_for(ci, cj)
                        if rule is not None:
                            edges.add((i, j))
                            reasons.setdefault((i, j), rule)
        broken = [(i, j) for (i, j) in sorted(edges) if i > j]  # i must be outside j, runs inside
        if not broken:
            return
        labels = [u.label for u in units]
        anchor = self._first_registration(units)
        ideal = desired_order(n, edges)
        why = self._explain(units, broken, reasons)
        before = chain(labels)
        if ideal is None:
            self.report(
                anchor,
                f"the middleware policy contradicts itself on {app}'s stack ({why}); "
                f"not changed: {before}",
            )
            return
        pinned_edges = set(edges)
        for i in range(n):
            for j in range(i + 1, n):
                if units[i].segment != units[j].segment:
                    pinned_edges.add((i, j))
        order = desired_order(n, pinned_edges)
        after_ideal = chain([labels[k] for k in ideal])
        if order is None:
            where = self._pin_text(pins, bool(ctor_units))
            self.report(
                anchor,
                f"middleware on {app} run in an unsafe order (not changed: {where}):\n{why}\n"
                f"before: {before}\nwanted: {after_ideal}",
            )
            return
        position = {k: p for p, k in enumerate(order)}
        crossed = [
            (i, j)
            for i in range(n)
            for j in range(i + 1, n)
            if (position[i] < position[j]) != (i < j)
        ]
        crossed_unknown = any(not (units[i].known and units[j].known) for i, j in crossed)
        preferred = sorted(
            {
                f"{units[a].label} outside {units[b].label}"
                for i, j in crossed
                for a, b in ((j, i), (i, j))
                if self._preference_only(units[a], units[b])
            }
        )
        after = chain([labels[k] for k in order])
        if ctor is not None and not _comments_fit(
            ctor[0], self._ctor_order(units, order, ctor_units)
        ):
            self.report(
                anchor,
                f"middleware on {app} run in an unsafe order (not changed: a comment in the "
                f"constructor's middleware list would lose its place):\n{why}\n"
                f"before: {before}\nwanted: {after}",
            )
            return
        fix = Fix.UNSAFE if crossed_unknown or preferred else Fix.SAFE
        if crossed_unknown:
            note = (
                " (unsafe: it moves middleware across ones the policy does not recognise; declare "
                "them in [tool.archfix.middleware-order] categories)"
            )
        elif preferred:
            note = (
                f" (unsafe: it moves {', '.join(preferred)}, which the policy only prefers: check "
                "that the outer one does not read what the inner one sets, such as request.user)"
            )
        else:
            note = ""
        if self.report(
            anchor,
            f"middleware on {app} run in an unsafe order{note}:\n{why}\n"
            f"before: {before}\nafter:  {after}",
            fix=fix,
        ):
            self._plan(units, order, runs, ctor, ctor_units)

    def _preference_only(self, outer: Unit, inner: Unit) -> bool:
        """Whether putting ``outer`` outside ``inner`` is asked only by preferred constraints."""
        rules = [
            rule
            for co in outer.categories
            for ci in inner.categories
            if (rule := self.policy.rule_for(co, ci)) is not None
        ]
        return bool(rules) and all(rule.preferred for rule in rules)

    def _explain(
        self,
        units: list[Unit],
        broken: list[tuple[int, int]],
        reasons: dict[tuple[int, int], Constraint],
    ) -> str:
        by_rule: dict[Constraint, list[str]] = {}
        for i, j in broken:
            by_rule.setdefault(reasons[(i, j)], []).append(
                f"{units[i].label} runs inside {units[j].label}"
            )
        parts = []
        for rule, pairs in by_rule.items():
            more = f" (+{len(pairs) - 2} more)" if len(pairs) > 2 else ""
            parts.append(
                f"- {', '.join(pairs[:2])}{more}: {rule.outer} outside {_short(rule)}, {rule.reason}"
            )
        return "\n".join(parts)

    def _pin_text(self, pins: list[cst.CSTNode], has_ctor: bool) -> str:
        blocks = sorted({self._line(p) for p in pins if id(p) in self.mixed_blocks})
        if blocks:
            where = ", ".join(str(n) for n in blocks)
            return (
                f"the if block on line {where} registers middleware and does other work, "
                "so it cannot move and pins the registrations around it"
            )
        lines = sorted({self._line(p) for p in pins})
        if lines:
            where = ", ".join(str(n) for n in lines)
            return f"a statement between the registrations (line {where}) pins them"
        if has_ctor:
            return "constructor middleware always run inside add_middleware ones"
        return "the registrations cannot be reordered"

    def _first_registration(self, units: list[Unit]) -> cst.CSTNode:
        return min(units, key=lambda u: self._line(u.node)).node

    def _line(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos is not None else 0

    def _plan(
        self,
        units: list[Unit],
        order: list[int],
        runs: list[_Run],
        ctor: tuple[cst.List | cst.Tuple, list[str]] | None,
        ctor_units: list[Unit],
    ) -> None:
        """Turn the execution order into statement order per run (reversed) and list order."""
        by_segment: dict[int, list[Unit]] = {}
        for k in order:
            by_segment.setdefault(units[k].segment, []).append(units[k])
        for segment, run in enumerate(reversed(runs)):
            wanted = list(reversed(by_segment.get(segment, [])))
            if [u.node for u in wanted] != [u.node for u in run.units]:
                for slot_unit, new_unit in zip(run.units, wanted, strict=True):
                    self.plan.order[id(slot_unit.node)] = [new_unit.node]
        if ctor is not None and ctor_units:
            wanted_nodes = self._ctor_order(units, order, ctor_units)
            if wanted_nodes != [u.node for u in ctor_units]:
                self.plan.order[id(ctor[0])] = wanted_nodes

    @staticmethod
    def _ctor_order(
        units: list[Unit], order: list[int], ctor_units: list[Unit]
    ) -> list[cst.CSTNode]:
        ctor_ids = {id(u) for u in ctor_units}
        return [units[k].node for k in order if id(units[k]) in ctor_ids]

    # -- transformation ---------------------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return self._reorder(original_node, updated_node)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return self._reorder(original_node, updated_node)

    def _reorder(self, original: _Block, updated: _Block) -> _Block:
        """Put each planned statement into its new slot, with the comments directly above it.

        Blank lines and section-rule comments (``# --- Middleware ---``) belong to the slot (they
        describe the block, not one registration); the comment lines right above a statement move
        with it. ``updated`` children are used so edits inside moved statements survive.
        """
        if not self.plan.order or not any(id(s) in self.plan.order for s in original.body):
            return updated
        updated_of = {id(old): new for old, new in zip(original.body, updated.body, strict=True)}
        body = list(updated.body)
        spacing = _def_spacing(original, self.plan.order)
        for index, old in enumerate(original.body):
            target = self.plan.order.get(id(old))
            if target is None:
                continue
            moved = updated_of[id(target[0])]
            slot_lines: tuple[list[cst.EmptyLine], list[cst.EmptyLine]] = _split_leading(
                list(getattr(old, "leading_lines", ()))
            )
            moved_lines: tuple[list[cst.EmptyLine], list[cst.EmptyLine]] = _split_leading(
                list(getattr(moved, "leading_lines", ()))
            )
            blank = slot_lines[0]
            if index in spacing:
                blank = [cst.EmptyLine()] * spacing[index]
            body[index] = moved.with_changes(leading_lines=[*blank, *moved_lines[1]])
        return updated.with_changes(body=body)

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        return self._reorder_elements(original_node, updated_node)

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.Tuple:
        return self._reorder_elements(original_node, updated_node)

    _Seq = TypeVar("_Seq", cst.List, cst.Tuple)

    def _reorder_elements(self, original: _Seq, updated: _Seq) -> _Seq:
        """Constructor middleware change places; each slot keeps its comma and its layout."""
        wanted = self.plan.order.get(id(original))
        if wanted is None:
            return updated
        return _reordered(original, updated, wanted)


def _def_like(stmt: cst.CSTNode) -> bool:
    """A function or class (an ``@app.middleware`` function), or an ``if`` holding one."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return True
    return isinstance(stmt, cst.If) and any(
        _def_like(s) for body in (_branches(stmt) or []) for s in body
    )


def _blank_lines(stmt: cst.CSTNode) -> int | None:
    """The blank lines above ``stmt`` when that is all there is (None: comments too)."""
    lines = list(getattr(stmt, "leading_lines", ()))
    if any(line.comment is not None for line in lines):
        return None
    return len(lines)


def _def_spacing(
    block: cst.Module | cst.IndentedBlock, order: dict[int, list[cst.CSTNode]]
) -> dict[int, int]:
    """Blank lines per reordered slot when a run mixes definitions and plain registrations.

    Blank lines belong to the slot, which is right among plain registrations; a function moved
    into the slot of a one-line call would be glued to the line above, and the next call glued
    to its body. In a run holding a definition, a definition and whatever follows one get the
    run's definition spacing (two blank lines at module level, one in a function, unless the run
    shows another), other neighbours the run's plain spacing. Runs with comments keep the slots'.
    """
    body = list(block.body)
    planned = [i for i, stmt in enumerate(body) if id(stmt) in order]
    runs: list[list[int]] = []
    for i in planned:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    out: dict[int, int] = {}
    for run in runs:
        olds = [body[i] for i in run]
        news = [order[id(stmt)][0] for stmt in olds]
        counts = [_blank_lines(stmt) for stmt in olds]
        if not any(_def_like(s) for s in olds) or any(c is None for c in counts):
            continue
        default = 2 if isinstance(block, cst.Module) else 1
        defs = [c for s, c in zip(olds, counts, strict=True) if _def_like(s) and c]
        plain = [
            counts[j]
            for j in range(1, len(olds))
            if not _def_like(olds[j]) and not _def_like(olds[j - 1])
        ]
        wide = max(defs, default=default)
        narrow = min((c for c in plain if c is not None), default=0)
        before = body[run[0] - 1] if run[0] > 0 else None
        for j, i in enumerate(run):
            previous = news[j - 1] if j else before
            near_def = _def_like(news[j]) or (previous is not None and _def_like(previous))
            if j == 0:
                first = counts[0] or 0
                out[i] = max(first, wide) if near_def and previous is not None else first
            else:
                out[i] = wide if near_def else narrow
    return out


def _short(rule: Constraint) -> str:
    inners = list(rule.inners) if len(rule.inners) <= 4 else [*rule.inners[:3], "..."]
    return "/".join(inners)


def _split_leading(lines: list[cst.EmptyLine]) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """(lines that stay with the slot, comment lines directly above the statement that move)."""
    cut = len(lines)
    while cut > 0:
        line = lines[cut - 1]
        if line.comment is None or _SECTION_RULE.search(line.comment.value):
            break
        cut -= 1
    return lines[:cut], lines[cut:]


_SeqT = TypeVar("_SeqT", cst.List, cst.Tuple)


def _line_end(ws: cst.BaseParenthesizableWhitespace | None) -> cst.TrailingWhitespace | None:
    return ws.first_line if isinstance(ws, cst.ParenthesizedWhitespace) else None


def _slot_line_ends(seq: cst.List | cst.Tuple) -> list[cst.TrailingWhitespace | None]:
    """Where each slot's end-of-line comment lives: after its comma, or before ``]`` for the last."""
    ends: list[cst.TrailingWhitespace | None] = []
    for index, element in enumerate(seq.elements):
        end = (
            _line_end(element.comma.whitespace_after)
            if isinstance(element.comma, cst.Comma)
            else None
        )
        if end is None and index == len(seq.elements) - 1 and isinstance(seq, cst.List):
            end = _line_end(seq.rbracket.whitespace_before)
        ends.append(end)
    return ends


def _comments_fit(seq: cst.List | cst.Tuple, wanted: Sequence[cst.CSTNode]) -> bool:
    """Whether every element's end-of-line comment can travel with it to its new slot.

    Comments on lines of their own inside the list belong to no element we can identify, so a list
    holding one is not reordered.
    """
    if list(wanted) == list(seq.elements):
        return True
    ends = _slot_line_ends(seq)
    own = {id(e): end for e, end in zip(seq.elements, ends, strict=True)}
    for slot_end, node in zip(ends, wanted, strict=True):
        comment = own.get(id(node))
        if comment is not None and comment.comment is not None and slot_end is None:
            return False
    spaces: list[cst.BaseParenthesizableWhitespace] = [
        e.comma.whitespace_after for e in seq.elements if isinstance(e.comma, cst.Comma)
    ]
    if isinstance(seq, cst.List):
        spaces += [seq.lbracket.whitespace_after, seq.rbracket.whitespace_before]
    else:
        spaces += [p.whitespace_after for p in seq.lpar]
    return not any(
        isinstance(ws, cst.ParenthesizedWhitespace)
        and any(line.comment is not None for line in ws.empty_lines)
        for ws in spaces
    )


def _reordered(original: _SeqT, updated: _SeqT, wanted: Sequence[cst.CSTNode]) -> _SeqT:
    """Elements in their new order; each slot keeps its comma and layout, each element its comment."""
    ends = _slot_line_ends(original)
    own = {id(e): end for e, end in zip(original.elements, ends, strict=True)}
    updated_of = {id(o): n for o, n in zip(original.elements, updated.elements, strict=True)}
    elements: list[cst.BaseElement] = []
    last = len(original.elements) - 1
    rbracket_end: cst.TrailingWhitespace | None = None
    for index, (slot, node) in enumerate(zip(updated.elements, wanted, strict=True)):
        comment = own.get(id(node))
        end = ends[index]
        comma = slot.comma
        new_end = (
            comment
            if comment is not None and comment.comment is not None
            else (cst.TrailingWhitespace(newline=end.newline) if end is not None else None)
        )
        if (
            new_end is not None
            and isinstance(comma, cst.Comma)
            and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        ):
            comma = comma.with_changes(
                whitespace_after=comma.whitespace_after.with_changes(first_line=new_end)
            )
        elif new_end is not None and index == last:
            rbracket_end = new_end
        elements.append(updated_of[id(node)].with_changes(comma=comma))
    result = updated.with_changes(elements=elements)
    if rbracket_end is not None and isinstance(result, cst.List):
        ws = result.rbracket.whitespace_before
        if isinstance(ws, cst.ParenthesizedWhitespace):
            result = result.with_changes(
                rbracket=result.rbracket.with_changes(
                    whitespace_before=ws.with_changes(first_line=rbracket_end)
                )
            )
    return result
