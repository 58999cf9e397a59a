"""Modules that import each other at module level load in an order that decides whether they work.

When ``config`` imports ``secret_manager`` and ``secret_manager`` imports ``config``, whichever is
imported first sees the other half-initialised: a name used at import time is missing, and the failure
moves with the import order of whoever starts the app (section 2.2).

Finding only: each cycle of module-level imports is reported once, with its chain
``a -> b -> c -> a``, on the import line that closes it (in the last module of the chain, which starts
at the alphabetically first module). Imports inside functions and under ``if TYPE_CHECKING:`` don't
count: they do not run while the modules load. ``from pkg import sub`` is an edge to ``pkg.sub``.
A cycle through a package's ``__init__`` whose other modules all lie inside that package is not
reported: importing any of them runs the ``__init__`` first, so the order never changes.
Break the cycle by moving one import into the function that needs it, or the shared names into a
module of their own.

Example::

    # app/core/config.py                      # app/core/secret_manager.py
    from app.core import secret_manager       from app.core import config   # <- reported here:
                                              # app.core.config -> app.core.secret_manager -> app.core.config
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

from archfix.codemods.base import ProjectCodemod
from archfix.config import Option
from archfix.models import Fix
from archfix.project import ModuleIndex, ModuleInfo

Edge = tuple[str, str]


def import_graph(index: ModuleIndex) -> dict[str, dict[str, tuple[int, int]]]:
    """module -> imported project module -> (line, col) of the first import that makes the edge."""
    graph: dict[str, dict[str, tuple[int, int]]] = {}
    for info in index.unique_modules():
        edges = graph.setdefault(info.name, {})
        for rec in info.imports:
            if not rec.module_level or rec.type_checking:
                continue
            target = _target(index, rec.module, rec.name)
            if target is None or target == info.name:
                continue
            edges.setdefault(target, (rec.line, rec.col))
    return graph


def _target(index: ModuleIndex, module: str, name: str | None) -> str | None:
    if name is not None and name != "*" and index.is_submodule(module, name):
        return _canonical(index, f"{module}.{name}")
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        found = _canonical(index, ".".join(parts[:cut]))
        if found is not None:
            return found
    return None


def _canonical(index: ModuleIndex, name: str) -> str | None:
    info: ModuleInfo | None = index.get(name)
    return info.name if info is not None else None


def strongly_connected(graph: dict[str, dict[str, tuple[int, int]]]) -> Iterator[list[str]]:
    """Tarjan's components with more than one module (iterative: deep graphs are common)."""
    counter = 0
    low: dict[str, int] = {}
    order: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in sorted(graph):
        if root in order:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in order:
                    order[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], order[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    yield sorted(component)


def _shortest_path(
    graph: dict[str, dict[str, tuple[int, int]]], start: str, goal: str, members: set[str]
) -> list[str] | None:
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for child in sorted(graph.get(node, {})):
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    return None


def cycles(
    graph: dict[str, dict[str, tuple[int, int]]],
    limit: int,
    skip: Callable[[list[str]], bool] | None = None,
) -> list[list[str]]:
    """Distinct elementary cycles, each as a chain starting at its smallest module.

    For every edge inside a component, the shortest way back closes one cycle: this finds the
    cycles people act on without enumerating the (exponentially many) others. Cycles ``skip``
    accepts are left out, and do not count towards ``limit``.
    """
    found: dict[tuple[str, ...], list[str]] = {}
    for component in strongly_connected(graph):
        members = set(component)
        per_component = 0
        for source in component:
            for target in sorted(graph[source]):
                if target not in members or per_component >= limit:
                    continue
                back = _shortest_path(graph, target, source, members)
                if back is None:
                    continue
                ring = [source, *back[:-1]] if back[-1] == source else [source, *back]
                first = ring.index(min(ring))
                ring = ring[first:] + ring[:first]
                key = tuple(ring)
                if key not in found and not (skip is not None and skip(ring)):
                    found[key] = ring
                    per_component += 1
    return [found[k] for k in sorted(found)]


def _entered_through_package(index: ModuleIndex, ring: list[str]) -> bool:
    """Whether a package in the cycle contains every other module of it.

    Importing any module of such a cycle imports that package first, so its ``__init__`` always
    starts the cycle and the modules load in the same order whoever starts the app: it works
    everywhere or fails everywhere, at once (``pkg/__init__.py`` importing ``pkg.sub``, which
    imports a name from ``pkg``, is the common, working case).
    """
    for name in ring:
        info = index.get(name)
        if info is not None and info.is_package:
            inside = name + "."
            if all(other == name or other.startswith(inside) for other in ring):
                return True
    return False


class ImportCycle(ProjectCodemod):
    id = "import-cycle"
    title = "Break import cycles between modules"
    section = "2.2 Circular Dependencies"
    fixable = Fix.NONE
    priority = 94
    options = {
        "max-cycles-per-group": Option(
            "int", 10, "Cycles reported per group of mutually importing modules."
        )
    }

    def run(self) -> None:
        index = self.ctx.project.index
        graph = import_graph(index)
        limit = int(self.ctx.options.get("max-cycles-per-group", 10))
        for ring in cycles(graph, limit, skip=lambda ring: _entered_through_package(index, ring)):
            last, first = ring[-1], ring[0]
            line, col = graph[last][first]
            info = index.get(last)
            assert info is not None
            chain = " -> ".join([*ring, first])
            self.ctx.report(info.path, line, col, f"import cycle: {chain}")
