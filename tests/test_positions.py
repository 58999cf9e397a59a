"""archfix.positions gives exactly libcst's PositionProvider positions, for every node.

Findings carry line/column numbers, so the cheap provider must agree with libcst's on every node of
every tree: all golden inputs, the example, archfix's sources, a stdlib sample, hand-written edge
cases (newline styles, tabs, wide characters, continuations, no trailing newline, ...), generated
programs, and trees changed by transformers (created nodes, odd newlines, a node used twice).
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Mapping
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from archfix.engine import _positions_of
from archfix.positions import (
    FastPositionProvider,
    LazyPositions,
    compute_positions,
)

ROOT = Path(__file__).resolve().parent.parent


def _reference(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _differences(module: cst.Module) -> list[str]:
    """Every node where the two providers disagree (empty when they agree everywhere)."""
    expected = _reference(module)
    actual = compute_positions(module)
    problems: list[str] = []
    if len(actual) != len(expected) or set(actual) != set(expected):
        problems.append(f"node sets differ: {len(actual)} vs {len(expected)} nodes")
    for node, want in expected.items():
        got = actual.get(node)
        if got != want:
            problems.append(f"{type(node).__name__}: {got} != {want}")
        if actual[node] is not got:
            problems.append(f"{type(node).__name__}: ranges are not cached")
    return problems


def _assert_same(module: cst.Module, label: str = "") -> None:
    problems = _differences(module)
    assert not problems, f"{label}: {problems[:5]}"


def _assert_same_source(source: str | bytes, label: str = "") -> None:
    _assert_same(cst.parse_module(source), label or repr(source))


def _check_files(paths: list[Path]) -> int:
    """Compare on every file libcst parses; returns how many were compared."""
    failures: list[str] = []
    compared = 0
    for path in paths:
        try:
            module = cst.parse_module(path.read_bytes())
        except (cst.ParserSyntaxError, RecursionError, UnicodeDecodeError, SyntaxError):
            continue
        compared += 1
        problems = _differences(module)
        if problems:
            failures.append(f"{path}: {problems[:3]}")
    assert not failures, "\n".join(failures[:10])
    return compared


def test_golden_inputs() -> None:
    paths = sorted((ROOT / "golden").rglob("*.py"))
    assert len(paths) > 100
    assert _check_files(paths) > 100


def test_example() -> None:
    paths = sorted((ROOT / "examples").rglob("*.py"))
    assert _check_files(paths) > 10


def test_archfix_sources() -> None:
    paths = sorted((ROOT / "archfix").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    assert _check_files(paths) > 40


def _stdlib_sample(count: int) -> list[Path]:
    """``count`` stdlib files spread evenly over the sorted tree (big files skipped for time)."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    paths = sorted(
        p for p in lib.rglob("*.py") if "site-packages" not in p.parts and p.stat().st_size < 15_000
    )
    step = max(1, len(paths) // count)
    return paths[::step][:count]


def test_stdlib_sample() -> None:
    paths = _stdlib_sample(200)
    assert len(paths) == 200
    assert _check_files(paths) > 150


EDGE_CASES: list[str | bytes] = [
    "",
    "\n",
    "\r\n",
    "\r",
    "   \n",
    "# only a comment",
    "# only a comment\n",
    "x = 1",
    "x = 1\n",
    "x = 1\n\n\n",
    "x = 1\r\ny = 2\r\n",
    "x = 1\ry = 2\r",
    "x = 1\ry = 2",
    "if x:\r\n    y = 1\r\n\r\n    # c\r\nelse:\r\n    z = 2\r\n",
    "if x:\r    y = 1\r\r    # c\relse:\r    z = 2\r",
    "def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n",
    "def f():\n  pass\n  # dedented comment\nclass C:\n    x: int\n",
    's = "héllo wörld 日本語 😀"; t = 1\n',
    "名前 = '値'  # 注釈 😀\nprint(名前)\n",
    "\x0cx = 1\n\x0c\ndef f():\n    return 1\n\x0c\nclass C: pass\n",
    "def f():\n    x = 1\n\x0c\n    return x\n",
    "x = 1 + \\\n    2 + \\\r\n    3\n",
    "x = (1,\n     2,  # c\n     3)\n",
    "if a and \\\n   b:\n    pass\n",
    "@dec\n@dec2(arg)\n# comment\ndef f(a, /, b: int = 1, *args: str, c, **kw) -> None:\n    ...\n",
    "@property\nclass C(Base, metaclass=M):\n    '''doc'''\n    def m(self): return self\n",
    "import os; import sys; x = 1;\n",
    "x = 1;  # trailing semicolon\n",
    'name = "w"\nf"{name!r:>{width}} {x=} {{lit}} {a[\'k\']}"\n',
    'f"""\nmulti {x}\nline {y!s}\n"""\n',
    "rb'\\x00' b''; u'x' r'\\n'\n",
    's = """a\r\nb\r\n"""\r\n',
    "s = '''a\rb'''\r",
    "match command:\n    case [x, y, *rest] if x > 0:\n        pass\n"
    "    case {'k': v, **kw}:\n        pass\n    case Point(x=0) | None:\n        pass\n"
    "    case _:\n        pass\n",
    "def f[T: int, *Ts, **P](x: T) -> T: return x\n",
    "type Alias[T] = list[T]\n",
    "x: dict[str, list[int | None]] = {}\nasync def g() -> None:\n    async with a as b, c:\n"
    "        async for i in b:\n            await i\n",
    "lambda x, *y, z=1: (yield)\n",
    "try:\n    pass\nexcept* ValueError as e:\n    raise\nfinally:\n    del x\n",
    "while x:\n    break\nelse:\n    continue\nfor a, b in c:\n    pass\nelse:\n    pass\n",
    "with (open(a) as f, open(b) as g):\n    pass\n",
    "global a\nnonlocal b\nassert x, 'm'\nreturn\n",
    "x = [i for i in range(3) if i] + {k: v for k, v in d} + {*a} + (j async for j in k)\n",
    "x = a if b else c\ny = not -~+a ** b // c @ d\nz = a[1:2, ::3, ...]\n",
    "x = y = z = 1\nx += 1\nx: int\n(x) = (y) = 2\n",
    "if True:\n    if True:\n        pass\n# outer comment\n\n    # inner comment\n",
    "class C:\n    pass\n\n\n\n",
    "if x:\n    pass\n    \n   \n",
    "if x: pass\nelif y: pass\nelse: pass\n",
    "print(1)\\\n\n",
    "x = 1 # c\r\n",
    "x = 1\r\n\n\r\r\ny = 2\n",
    "\ufeffx = 1\n",
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
    "x = (  # c\n\n    1\n)\n",
    "def f(\n    a,\n    b,\n):\n    pass\n",
    "del a, b\nraise X from Y\nimport a.b.c as d\nfrom . import (x, y,)\nfrom .. a import *\n",
]


@pytest.mark.parametrize("source", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_cases(source: str | bytes) -> None:
    _assert_same_source(source)


def _newline_styles(source: str) -> list[str]:
    return [source, source.replace("\n", "\r\n"), source.replace("\n", "\r")]


@pytest.mark.parametrize("style", ["\r\n", "\r"])
@pytest.mark.parametrize(
    "source", [s for s in EDGE_CASES if isinstance(s, str) and "\n" in s], ids=str
)
def test_edge_cases_in_other_newline_styles(source: str, style: str) -> None:
    converted = source.replace("\r\n", "\n").replace("\r", "\n").replace("\n", style)
    try:
        module = cst.parse_module(converted)
    except cst.ParserSyntaxError:
        pytest.skip("not valid in this newline style")
    _assert_same(module, repr(converted))


class _Newlines(cst.CSTTransformer):
    """Gives every ``Newline`` one of the newline values in turn (None: the module default)."""

    def __init__(self, values: list[str | None]) -> None:
        super().__init__()
        self.values = values
        self.i = 0

    def leave_Newline(self, original_node: cst.Newline, updated_node: cst.Newline) -> cst.Newline:
        value = self.values[self.i % len(self.values)]
        self.i += 1
        return updated_node.with_changes(value=value)


def test_cr_token_followed_by_lf_token_is_two_line_breaks() -> None:
    """libcst splits each token on its own: "\\r" then "\\n" in the next token are two breaks."""
    module = cst.parse_module("x = 1\n\ny = 2\n# c\n\nz = 3\n")
    changed = module.visit(_Newlines(["\r", "\n"]))
    assert "\r\n" in changed.code
    _assert_same(changed)
    positions = compute_positions(changed)
    last = changed.body[-1]
    assert positions[last].start.line == _reference(changed)[last].start.line == 6


@given(
    st.lists(st.sampled_from([None, "\n", "\r", "\r\n"]), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from([s for s in EDGE_CASES if isinstance(s, str) and "\n" in s]),
)
@settings(max_examples=150, deadline=None, database=None, derandomize=True)
def test_any_mix_of_newline_values(values: list[str | None], style: str, source: str) -> None:
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace("\n", style)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return
    _assert_same(module.visit(_Newlines(values)), repr(source))


class _Duplicate(cst.CSTTransformer):
    """Uses each simple statement line twice (the same node object) and empties function bodies."""

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.FlattenSentinel[cst.SimpleStatementLine]:
        return cst.FlattenSentinel([updated_node, updated_node])

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return updated_node.with_changes(body=cst.IndentedBlock(body=[]))


def test_transformed_trees_with_created_and_shared_nodes() -> None:
    """Rules change trees: nodes without a parse, bodies printed as "pass", a node used twice."""
    source = (
        "import os\nx = 1; y = 2\n\ndef f():\n    return 1\n\nif x:\n    z = 3\nelse:\n    pass\n"
    )
    changed = cst.parse_module(source).visit(_Duplicate())
    _assert_same(changed)
    created = cst.Module(
        body=[
            cst.SimpleStatementLine(body=[]),
            cst.SimpleStatementLine(body=[cst.Expr(cst.Name("a")), cst.Expr(cst.Name("b"))]),
            cst.If(test=cst.Name("c"), body=cst.IndentedBlock(body=[])),
        ],
        default_newline="\r\n",
        default_indent="\t",
    )
    _assert_same(created)
    _assert_same(created.with_changes(has_trailing_newline=False))
    _assert_same(cst.Module(body=[], has_trailing_newline=False))
    _assert_same(cst.Module(body=[]))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@given(hypothesmith.from_grammar())
@settings(
    max_examples=int(os.environ.get("ARCHFIX_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not os.environ.get("ARCHFIX_PROPERTY_RANDOM"),
    database=None,
)
def test_generated_programs(source: str) -> None:
    for variant in _newline_styles(source):
        try:
            module = cst.parse_module(variant)
        except (cst.ParserSyntaxError, RecursionError):
            continue
        _assert_same(module, repr(variant))


def test_mapping_interface() -> None:
    module = cst.parse_module("x = 1\n")
    positions = compute_positions(module)
    stray = cst.Name("stray")
    assert positions.get(stray) is None
    default = CodeRange(CodePosition(9, 9), CodePosition(9, 9))
    assert positions.get(stray, default) is default
    assert stray not in positions
    with pytest.raises(KeyError):
        positions[stray]
    assert module in positions
    assert positions[module] == CodeRange(CodePosition(1, 0), CodePosition(2, 0))
    assert dict(positions) == dict(_reference(module))


def test_engine_uses_the_cached_fast_provider() -> None:
    """The engine resolves positions once per tree, through the cheap provider."""
    module = cst.parse_module("x = 1\n")
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = _positions_of(wrapper)
    first = positions()
    assert isinstance(first, LazyPositions)
    assert positions() is first
    assert _positions_of(wrapper)() is first
    assert wrapper.resolve(FastPositionProvider) is first
    # The next pass wraps the same (unchanged) tree again: not printed again.
    again = MetadataWrapper(module, unsafe_skip_copy=True)
    assert _positions_of(again)() is first
    other = cst.parse_module("x = 1\n")
    assert _positions_of(MetadataWrapper(other, unsafe_skip_copy=True))() is not first


class _Declares(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FastPositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[CodeRange] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(self.get_metadata(FastPositionProvider, node))


def test_declared_as_a_metadata_dependency() -> None:
    module = cst.parse_module("a = b\nc(d)\n")
    visitor = _Declares()
    MetadataWrapper(module).visit(visitor)
    assert [(r.start.line, r.start.column) for r in visitor.seen] == [
        (1, 0),
        (1, 4),
        (2, 0),
        (2, 2),
    ]


def test_code_of_module_prints_the_code_and_keeps_its_positions() -> None:
    """The engine prints each tree once: the positions come from that same codegen."""
    from archfix.positions import code_of_module, positions_of

    for source in ("x = 1\n", "def f():\n    return 2\n", "", "a = 1\r\nb = 2", "if x:\n  pass"):
        module = cst.parse_module(source)
        assert code_of_module(module) == module.code == source
        positions = positions_of(module)
        assert dict(positions) == dict(_reference(module))
        assert positions_of(module) is positions  # kept, not printed again
