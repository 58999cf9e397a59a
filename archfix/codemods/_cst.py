"""Small libcst helpers shared by rules (and the merge package): rendering a node, naming it, and
comparing expressions regardless of formatting and comments."""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    """The source text of ``node`` on its own."""
    return _EMPTY.code_for_node(node)


def expr_key(node: cst.BaseExpression) -> str:
    """A formatting- and comment-insensitive identity for an expression."""
    code = code_of(node)
    try:
        return ast.dump(ast.parse(f"({code})", mode="eval").body)
    except SyntaxError:
        return " ".join(code.split())


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def args_key(args: Sequence[cst.Arg]) -> str:
    """Positional arguments in order, keyword arguments sorted by name."""
    positional = [f"{a.star}{expr_key(a.value)}" for a in args if a.keyword is None]
    keywords = sorted(
        f"{a.keyword.value}={expr_key(a.value)}" for a in args if a.keyword is not None
    )
    return "|".join([*positional, *keywords])
