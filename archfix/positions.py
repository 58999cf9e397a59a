"""Node positions equal to libcst's ``PositionProvider``, at a fraction of its cost.

libcst's provider runs a codegen that splits every token with a regex to keep a running line and
column, and builds two ``CodePosition`` and a ``CodeRange`` for every node. Rules ask for the
positions of a handful of nodes, and the engine recomputes positions each time a rule changes the
tree, so that bookkeeping dominated the cost of reporting.

:class:`FastPositionProvider` runs the same codegen with the same hooks (``before_codegen``,
``after_codegen``, ``record_syntactic_position``) and the same bookkeeping rules, but records only
token indices. Token indices become character offsets (one pass over the token lengths) and offsets
become (line, column) by bisecting the line starts of the generated text, only for the nodes a rule
asks for. Line breaks are those of libcst's ``NEWLINE_RE`` (``\\r\\n``, ``\\r``, ``\\n``) applied per
token, as libcst does: a ``\\r`` ending one token and a ``\\n`` starting the next are two breaks.

The hooks are libcst internals (``CodegenState``, ``CSTNode._codegen``), the same ones its own
providers use; tests/test_positions.py compares with ``PositionProvider`` on every node of many
trees, so a libcst change that breaks the equality fails there.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from itertools import accumulate
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import BaseMetadataProvider, CodePosition, CodeRange

if TYPE_CHECKING:
    from libcst.metadata import MetadataWrapper

_NEWLINE = re.compile(r"\r\n?|\n")

_Span = tuple[int, int]
"""(start, end) token indices: the node's text is ``tokens[start:end]``."""


class _Syntactic:
    """``record_syntactic_position`` as a plain context manager (cheaper than a generator)."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _SpanCodegenState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node
        self.start = len(state.tokens)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Same as libcst: always (over)write, hoisting start/end from the given children.
        spans = self.state.spans
        start = self.start if self.start_node is None else spans[self.start_node][0]
        end = len(self.state.tokens) if self.end_node is None else spans[self.end_node][1]
        spans[self.node] = (start, end)


class _SpanCodegenState(CodegenState):
    """A codegen state that records each node's token span instead of its line and column."""

    __slots__ = ("popped", "spans", "stack")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.spans: dict[cst.CSTNode, _Span] = {}
        self.stack: list[int] = []
        self.popped = False

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        # Same as libcst: a position recorded by record_syntactic_position (or by an earlier
        # occurrence of a node used twice) is kept.
        self.spans.setdefault(node, (self.stack.pop(), len(self.tokens)))

    def pop_trailing_newline(self) -> None:
        # libcst drops the token but not its effect on the running line/column, so the module's
        # end is after it: keep the token (positions are then offsets into the tokens' text) and
        # remember that the printed code ends before it.
        self.popped = bool(self.tokens)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class LazyPositions(Mapping[cst.CSTNode, CodeRange]):
    """Positions of one module's nodes; a node's ``CodeRange`` is built when first asked for."""

    __slots__ = ("_cache", "_line_starts", "_offsets", "_spans", "_tokens")

    def __init__(self, spans: dict[cst.CSTNode, _Span], tokens: list[str]) -> None:
        self._spans = spans
        self._tokens = tokens
        self._offsets: list[int] | None = None
        self._line_starts: list[int] = []
        self._cache: dict[cst.CSTNode, CodeRange] = {}

    def _index(self) -> list[int]:
        """Character offset of every token boundary, and the offsets where lines start."""
        tokens = self._tokens
        offsets = list(accumulate(map(len, tokens), initial=0))
        text = "".join(tokens)
        starts = [0]
        if "\r" in text:
            # A break is never split across tokens by libcst; "\r" + "\n" across a token
            # boundary counts twice there, so split exactly at those boundaries.
            boundaries = set(offsets) if "\r\n" in text else ()
            for match in _NEWLINE.finditer(text):
                end = match.end()
                if end - match.start() == 2 and end - 1 in boundaries:
                    starts.append(end - 1)
                starts.append(end)
        else:
            pos = text.find("\n")
            while pos != -1:
                pos += 1
                starts.append(pos)
                pos = text.find("\n", pos)
        self._line_starts = starts
        self._offsets = offsets
        return offsets

    def _position(self, token_index: int) -> CodePosition:
        offsets = self._offsets if self._offsets is not None else self._index()
        offset = offsets[token_index]
        line = bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._cache.get(node)
        if found is None:
            start, end = self._spans[node]
            found = CodeRange(self._position(start), self._position(end))
            self._cache[node] = found
        return found

    def get(self, node: cst.CSTNode, default: CodeRange | None = None) -> CodeRange | None:  # type: ignore[override]
        """``Mapping.get`` without the exception round trip for unknown nodes."""
        if node in self._cache or node in self._spans:
            return self[node]
        return default

    def __contains__(self, node: object) -> bool:
        return node in self._spans

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


def _print(module: cst.Module) -> _SpanCodegenState:
    state = _SpanCodegenState(module.default_indent, module.default_newline)
    module._codegen(state)
    return state


def compute_positions(module: cst.Module) -> LazyPositions:
    """Positions of ``module``'s nodes, equal to ``MetadataWrapper(module).resolve(PositionProvider)``."""
    state = _print(module)
    return LazyPositions(state.spans, state.tokens)


def code_of_module(module: cst.Module) -> str:
    """``module.code``, with the module's positions from the same codegen kept for
    :func:`positions_of` (about 20% more than a plain codegen, instead of a second one).

    The engine prints every tree it parses or a rule changes, and the next rule usually reports
    on it.
    """
    state = _print(module)
    tokens = state.tokens
    FastPositionProvider._last = (module, LazyPositions(state.spans, tokens))
    return "".join(tokens[:-1] if state.popped else tokens)


class FastPositionProvider(BaseMetadataProvider[CodeRange]):
    """A drop-in for ``PositionProvider``: ``wrapper.resolve(FastPositionProvider)`` caches it.

    The last module's positions are also kept across wrappers: the engine wraps an unchanged tree
    again for each pass, and positions depend only on the (immutable) tree.
    """

    _last: ClassVar[tuple[cst.Module, LazyPositions] | None] = None

    def _gen(self, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, CodeRange]:  # type: ignore[override]
        return positions_of(wrapper.module)


def positions_of(module: cst.Module) -> LazyPositions:
    """``compute_positions(module)``, reusing the last module's result (the engine wraps an
    unchanged tree again on each pass).

    Callers that only need positions should use this rather than ``wrapper.resolve``: libcst's
    resolve first walks the whole tree (a batched visit), which costs more than the positions.
    """
    last = FastPositionProvider._last
    if last is not None and last[0] is module:
        return last[1]
    positions = compute_positions(module)
    FastPositionProvider._last = (module, positions)
    return positions
