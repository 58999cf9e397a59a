"""``identifiers_stable``: the guard that lets prefilters and pruned traversals trust ``ast`` names."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archfix.nfkc import identifiers_stable


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",
        "x = 1  # café, naïve\n",  # NFKC-normalised already
        "x = '…'\n",  # the whole text is not NFKC-normal, but … cannot be in a name
        "x = 1  # 中文\uff0c注释\uff08全角标点\uff09\n",  # fullwidth punctuation in a comment
        "x = 'a\u00a0b'\n",  # non-breaking space
        "名前 = 1\n",  # a CJK identifier NFKC leaves alone
    ],
)
def test_stable(source: str) -> None:
    assert identifiers_stable(source)


@pytest.mark.parametrize(
    "source",
    [
        "\ufb01le = 1\n",  # the ligature: ast says "file"
        "\uff46oo = 1\n",  # fullwidth f
        "cafe\u0301 = 1\n",  # e + combining acute composes to é
        "x = '\ufb01le'\n",  # in a string: conservative
        "x = 1  # \uff46oo\n",  # in a comment: conservative
    ],
)
def test_unstable(source: str) -> None:
    assert not identifiers_stable(source)


_CHARS = "abé_\ufb01\uff46\u0301\u00b7名\u1100\u1161\u2126\u212b"
"""ASCII, a composed letter, a ligature, a fullwidth letter, a combining mark, a middle dot, a
CJK ideograph, Hangul jamo that compose, and the Ohm and Angstrom signs (NFKC maps them away)."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_CHARS, min_size=1, max_size=6), min_size=1, max_size=5))
def test_stable_means_ast_keeps_every_name(words: list[str]) -> None:
    names = [w for w in ("v" + w for w in words) if w.isidentifier()]
    source = "".join(f"{name} = 1  # …\uff0c\n" for name in names)
    tree = ast.parse(source)
    parsed = [t.id for node in tree.body for t in node.targets]  # type: ignore[attr-defined]
    if identifiers_stable(source):
        assert parsed == names
