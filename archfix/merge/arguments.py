"""One feature flag for a registration the variants make with different argument values.

``app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS, ...)`` in one variant and
``app.add_middleware(CORSMiddleware, allow_origins=["*"], ...)`` in another register the same
middleware: the merge gives them one flag (``ENABLE_CORS``) and picks the differing values per
profile in the block. Only registrations (``add_middleware``, ``include_router``, ``mount``) that
differ in keyword values alone are merged — same callee, same positional arguments, same keywords in
the same order; anything else stays a block of its own. A profile that had none of the forms and
turns the flag on gets the values of the first variant that had it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from archfix.merge.model import Stmt, code_of

_REGISTRATIONS = {"add_middleware", "include_router", "mount"}


def _call(stmt: Stmt) -> cst.Call | None:
    node = stmt.node
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    small = node.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    call = small.value
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in _REGISTRATIONS:
        return None
    if any(a.star for a in call.args):
        return None
    return call


def shape(stmt: Stmt) -> str:
    """The statement's key with keyword values blanked, for registrations; else its key."""
    if _call(stmt) is None:
        return stmt.key
    tree = ast.parse(code_of(stmt.node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            for keyword in node.keywords:
                keyword.value = ast.Constant("\0value")
            break
    return "shape:" + ast.dump(tree)


def _uses(expr: cst.BaseExpression) -> set[str]:
    return {
        n.id
        for n in ast.walk(ast.parse(f"({code_of(expr)})", mode="eval"))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


@dataclass
class Variation:
    """How a merged registration's keyword values differ between profiles."""

    names: dict[str, str]
    """keyword -> the local variable that holds its value."""
    groups: list[tuple[list[str], dict[str, cst.BaseExpression]]]
    """(profiles, keyword -> value); the first is the default (the ``else`` branch)."""
    call: cst.Call
    """The registration with the differing values replaced by the variables."""
    common_uses: frozenset[str]
    branch_uses: list[set[str]]
    """Per group: names its values use."""


def variation(
    versions: dict[str, Stmt], order: list[str], base: str, taken: set[str]
) -> Variation | None:
    """None when every profile registers it the same way."""
    if len({s.key for s in versions.values()}) == 1:
        return None
    calls = {p: _call(s) for p, s in versions.items()}
    first = calls[order[0]]
    assert first is not None
    keywords = [a.keyword.value for a in first.args if a.keyword is not None]
    differing = [
        k
        for k in keywords
        if len(
            {
                ast.dump(ast.parse(code_of(_kw(c, k)), mode="eval"))
                for c in calls.values()
                if c is not None
            }
        )
        > 1
    ]
    groups: list[tuple[list[str], dict[str, cst.BaseExpression]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for profile in order:
        call = calls[profile]
        assert call is not None
        values = {k: _kw(call, k) for k in differing}
        key = tuple(ast.dump(ast.parse(code_of(v), mode="eval")) for v in values.values())
        if key in seen:
            groups[seen[key]][0].append(profile)
        else:
            seen[key] = len(groups)
            groups.append(([profile], values))
    names: dict[str, str] = {}
    for k in differing:
        name, n = f"_{base}_{k}", 2
        while name in taken:
            name, n = f"_{base}_{k}_{n}", n + 1
        taken.add(name)
        names[k] = name
    call = first.with_changes(
        args=[
            a.with_changes(value=cst.Name(names[a.keyword.value]))
            if a.keyword is not None and a.keyword.value in names
            else a
            for a in first.args
        ]
    )
    common = set(_uses(call.func))
    for a in call.args:
        common |= _uses(a.value)
    return Variation(
        names,
        groups,
        call,
        frozenset(common - set(names.values())),
        [set().union(*[_uses(v) for v in values.values()]) for _, values in groups],
    )


def _kw(call: cst.Call, keyword: str) -> cst.BaseExpression:
    return next(a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword)


def render(var: Variation, stmt: Stmt, imports: list[list[str]]) -> list[cst.BaseStatement]:
    """``if profile in (...): v = ... else: v = ...`` then the registration; ``imports`` per group."""

    def body(i: int) -> cst.IndentedBlock:
        lines = [cst.parse_statement(line) for line in imports[i]]
        for k, value in var.groups[i][1].items():
            lines.append(
                cst.SimpleStatementLine(
                    [cst.Assign([cst.AssignTarget(cst.Name(var.names[k]))], value.deep_clone())]
                )
            )
        return cst.IndentedBlock(body=lines)

    chain: cst.If | cst.Else = cst.Else(body=body(0))
    for i in range(len(var.groups) - 1, 0, -1):
        profiles = var.groups[i][0]
        test = (
            f"profile == {profiles[0]!r}"
            if len(profiles) == 1
            else f"profile in ({', '.join(repr(p) for p in profiles)})"
        )
        chain = cst.If(test=cst.parse_expression(test), body=body(i), orelse=chain)
    assert isinstance(chain, cst.If)
    node = stmt.node
    assert isinstance(node, cst.SimpleStatementLine)
    chain = chain.with_changes(
        leading_lines=[
            *node.leading_lines,
            cst.EmptyLine(),
            cst.EmptyLine(comment=cst.Comment("# Arguments that differ between profiles.")),
        ]
    )
    small = node.body[0]
    assert isinstance(small, cst.Expr)
    call_stmt = node.with_changes(
        body=[small.with_changes(value=var.call.deep_clone())], leading_lines=[]
    )
    return [chain, call_stmt]
