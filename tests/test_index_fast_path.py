"""The index's statement-only scan must give exactly what the whole-tree walk gives."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest

from archfix.project import ModuleInfo, _ModuleScanner, _statements_suffice

REPO = Path(__file__).resolve().parent.parent


def _scan(path: Path, text: str, tree: ast.Module, fast: bool) -> ModuleInfo:
    info = ModuleInfo(name="m", path=path, is_package=False)
    _ModuleScanner(info).scan(tree, text if fast else None)
    return info


def _sources() -> list[Path]:
    ours = sorted(
        p
        for folder in ("golden", "examples", "archfix", "tests", "benchmarks")
        for p in (REPO / folder).rglob("*.py")
    )
    stdlib = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    return ours + stdlib


def test_fast_scan_equals_full_walk() -> None:
    compared = fast = 0
    for path in _sources():
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        compared += 1
        fast += _statements_suffice(text)
        assert _scan(path, text, tree, True) == _scan(path, text, tree, False), path
    assert compared > 300 and fast > 100  # both paths were really exercised


@pytest.mark.parametrize(
    "source",
    [
        "import m\nm.name = 1\n",
        "class A:\n    def f(self):\n        other.attr += 1\n        self.x = 1\n",
        "def f():\n    if x:\n        for i in y:\n            obj.deep: int = 2\n",
        "try:\n    pass\nexcept ImportError:\n    mod.fallback = None\n",
        "a.x, b.y = 1, 2\n",  # tuple targets are not collected by either path
        "setattr(mod, 'name', 1)\n",
        "if (n := 3):\n    pass\n",
        "globals().update(x=1)\n",
        "import sys\n\ndef f(n):\n    if n:\n        sys.modules[n] = sys\n\nf(__name__)\n",
        "sys.modules[__name__ + '.x'] = sys\nlog = get(name=__name__)\n",
        "\uff53\uff45\uff54\uff41\uff54\uff54\uff52(mod, 'wide', 1)\n",  # fullwidth: NFKC setattr
    ],
)
def test_fast_scan_edge_cases(source: str) -> None:
    tree = ast.parse(source)
    path = Path("m.py")
    assert _scan(path, source, tree, True) == _scan(path, source, tree, False)
