"""Tests for the diff and HTML reporters: diffs that really apply, escaping, and bounded cost."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archfix.models import ErrorKind, FileChange, FileError, Finding, Fix, Result, RuleInfo
from archfix.reporters.diff import (
    NO_NEWLINE_MARKER,
    apply_hunks,
    colorize,
    line_opcodes,
    split_hunks,
    split_lines,
    unified_diff,
)
from archfix.reporters.html import ReportSection, render_html, side_by_side_rows

# ---------------------------------------------------------------------------------------------
# unified_diff: headers and paths


def test_headers_use_paths_relative_to_cwd(tmp_path: Path) -> None:
    path = tmp_path / "svc" / "app" / "main.py"
    diff = unified_diff(FileChange(path, "a = 1\n", "a = 2\n"), cwd=tmp_path)
    assert diff.splitlines()[:3] == [
        "--- a/svc/app/main.py",
        "+++ b/svc/app/main.py",
        "@@ -1 +1 @@",
    ]
    assert "-a = 1\n+a = 2\n" in diff


def test_relative_input_path_is_resolved_against_cwd(tmp_path: Path) -> None:
    diff = unified_diff(FileChange(Path("pkg/mod.py"), "x\n", "y\n"), cwd=tmp_path)
    assert diff.startswith("--- a/pkg/mod.py\n+++ b/pkg/mod.py\n")


def test_headers_outside_cwd_are_absolute_without_prefix(tmp_path: Path) -> None:
    inside, outside = tmp_path / "here", tmp_path / "elsewhere" / "m.py"
    inside.mkdir()
    diff = unified_diff(FileChange(outside, "x\n", "y\n"), cwd=inside)
    assert diff.startswith(f"--- {outside.as_posix()}\n+++ {outside.as_posix()}\n")


def test_created_and_deleted_headers(tmp_path: Path) -> None:
    created = unified_diff(FileChange(tmp_path / "new.py", None, "a\nb\n"), cwd=tmp_path)
    assert created.startswith("--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n")
    deleted = unified_diff(FileChange(tmp_path / "old.py", "a\n", None), cwd=tmp_path)
    assert deleted.startswith("--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n")


def test_no_change_gives_empty_diff(tmp_path: Path) -> None:
    assert unified_diff(FileChange(tmp_path / "m.py", "a\n", "a\n"), cwd=tmp_path) == ""


def test_three_lines_of_context_and_separate_hunks(tmp_path: Path) -> None:
    old = "".join(f"line {i}\n" for i in range(30))
    new = old.replace("line 2\n", "LINE 2\n").replace("line 25\n", "LINE 25\n")
    diff = unified_diff(FileChange(tmp_path / "m.py", old, new), cwd=tmp_path)
    assert re.findall(r"^@@.*@@$", diff, flags=re.M) == ["@@ -1,6 +1,6 @@", "@@ -23,7 +23,7 @@"]


def test_missing_final_newline_is_marked(tmp_path: Path) -> None:
    diff = unified_diff(FileChange(tmp_path / "m.py", "a\nb", "a\nc"), cwd=tmp_path)
    assert diff.endswith(f"-b\n{NO_NEWLINE_MARKER}\n+c\n{NO_NEWLINE_MARKER}\n")
    added = unified_diff(FileChange(tmp_path / "m.py", "a\nb", "a\nb\n"), cwd=tmp_path)
    assert added.endswith(f"-b\n{NO_NEWLINE_MARKER}\n+b\n")


def test_crlf_lines_keep_their_endings(tmp_path: Path) -> None:
    diff = unified_diff(FileChange(tmp_path / "m.py", "a\r\nb\r\n", "a\r\nc\r\n"), cwd=tmp_path)
    assert " a\r\n-b\r\n+c\r\n" in diff


def test_form_feed_is_not_a_line_break() -> None:
    # str.splitlines() would split here; git and patch do not.
    assert split_lines("a\x0cb\nc\rd\n") == ["a\x0cb\n", "c\rd\n"]
    assert split_lines("") == []
    assert split_lines("x") == ["x"]


# ---------------------------------------------------------------------------------------------
# unified_diff: the patch applies with git apply and patch -p1

APPLY_CASES = {
    "edit": ("main.py", "import os\n\nx = 1\ny = 2\nz = 3\n", "import os\n\nx = 10\ny = 2\n"),
    "no-final-newline": ("m.py", "a = 1\nb = 2", "a = 1\nb = 3"),
    "add-final-newline": ("m.py", "a = 1\nb = 2", "a = 1\nb = 2\nc = 3\n"),
    "crlf": ("win.py", "a = 1\r\nb = 2\r\nc = 3\r\n", "a = 1\r\nb = 20\r\nc = 3\r\nd = 4\r\n"),
    "created": ("pkg/new_mod.py", None, "def f():\n    return 1\n"),
    "deleted": ("old.py", "gone = True\n", None),
    "form-feed": ("ff.py", "a\x0c = 1\nb = 2\n", "a\x0c = 1\nb = 3\n"),
}


def _prepare(root: Path, rel: str, old: str | None) -> None:
    if old is not None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(old.encode())


@pytest.mark.parametrize("case", sorted(APPLY_CASES))
def test_diff_applies_with_git_apply(tmp_path: Path, case: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    rel, old, new = APPLY_CASES[case]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _prepare(tmp_path, rel, old)
    diff = unified_diff(FileChange(tmp_path / rel, old, new), cwd=tmp_path)
    (tmp_path / "change.diff").write_bytes(diff.encode())
    check = subprocess.run(
        ["git", "apply", "--check", "change.diff"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr + diff
    subprocess.run(["git", "apply", "change.diff"], cwd=tmp_path, check=True)
    if new is None:
        assert not (tmp_path / rel).exists()
    else:
        assert (tmp_path / rel).read_bytes() == new.encode()


@pytest.mark.parametrize("case", sorted(APPLY_CASES))
def test_diff_applies_with_patch_p1(tmp_path: Path, case: str) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch not installed")
    rel, old, new = APPLY_CASES[case]
    _prepare(tmp_path, rel, old)
    diff = unified_diff(FileChange(tmp_path / rel, old, new), cwd=tmp_path)
    (tmp_path / "change.diff").write_bytes(diff.encode())
    dry = subprocess.run(
        ["patch", "-p1", "--dry-run", "-i", "change.diff"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr + diff
    subprocess.run(["patch", "-p1", "-s", "-i", "change.diff"], cwd=tmp_path, check=True)
    if new is None:
        assert not (tmp_path / rel).exists()
    else:
        assert (tmp_path / rel).read_bytes() == new.encode()


def test_empty_created_file_uses_git_header(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    diff = unified_diff(FileChange(tmp_path / "__init__.py", None, ""), cwd=tmp_path)
    assert diff == "diff --git a/__init__.py b/__init__.py\nnew file mode 100644\n"
    (tmp_path / "change.diff").write_text(diff)
    subprocess.run(["git", "apply", "change.diff"], cwd=tmp_path, check=True)
    assert (tmp_path / "__init__.py").read_text() == ""


# ---------------------------------------------------------------------------------------------
# colorize


def test_colorize_styles_each_kind_of_line() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n ctx\n--- x\n++++ y\n"
    coloured = colorize(diff)
    assert click.unstyle(coloured) == diff
    lines = coloured.splitlines()
    assert lines[0] == click.style("--- a/m.py", bold=True)
    assert lines[2] == click.style("@@ -1,2 +1,2 @@", fg="cyan")
    assert lines[3] == " ctx"
    # Inside a hunk, a removed "-- x" line is a removal, not a header.
    assert lines[4] == click.style("--- x", fg="red")
    assert lines[5] == click.style("++++ y", fg="green")


def test_colorize_keeps_crlf_endings() -> None:
    diff = "--- a/m\n+++ b/m\n@@ -1 +1 @@\n-a\r\n+b\r\n"
    assert click.unstyle(colorize(diff)) == diff


# ---------------------------------------------------------------------------------------------
# Hunks for the interactive mode

# Few distinct lines make ambiguous alignments; numbered lines spread edits into separate hunks.
_line = st.one_of(
    st.sampled_from(["a\n", "b\n", "c\n", "\n", "a\r\n", "x = 1\n"]),
    st.integers(0, 300).map(lambda i: f"line {i}\n"),
)


@st.composite
def _old_and_new(draw: st.DrawFn) -> tuple[str, str]:
    size = draw(st.integers(0, 60))  # uniform size: short lists alone rarely give several hunks
    old_lines = draw(st.lists(_line, min_size=size, max_size=size))
    new_lines = list(old_lines)
    for _ in range(draw(st.integers(0, 8))):
        pos = draw(st.integers(0, len(new_lines)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert" or not new_lines or pos == len(new_lines):
            new_lines.insert(pos, draw(_line))
        elif action == "delete":
            del new_lines[pos]
        else:
            new_lines[pos] = draw(_line)
    old, new = "".join(old_lines), "".join(new_lines)
    # A last line without a newline exercises the "\ No newline" path.
    if draw(st.booleans()) and old:
        old = old.rstrip("\n")
    if draw(st.booleans()) and new:
        new = new.rstrip("\n")
    return old, new


def _apply_hunk_texts(old: str, hunk_texts: list[str]) -> str:
    """Apply unified-diff hunks to ``old`` the way patch does, checking context and removals.

    Independent of ``apply_hunks``: it reads only the text a user is shown.
    """
    old_lines = split_lines(old)
    out: list[str] = []
    pos = 0
    for text in hunk_texts:
        header, *body = split_lines(text)
        old_range = header.split(" ")[1][1:]
        start_s, _, length_s = old_range.partition(",")
        length = int(length_s) if length_s else 1
        start = int(start_s) - 1 if length else int(start_s)
        assert start >= pos, "hunks out of order or overlapping"
        out.extend(old_lines[pos:start])
        pos = start
        for index, line in enumerate(body):
            if line.startswith("\\"):  # the "No newline at end of file" marker
                continue
            kind, content = line[0], line[1:]
            if index + 1 < len(body) and body[index + 1].startswith("\\"):
                content = content[:-1]  # the marker says this line has no newline
            if kind in " -":
                assert old_lines[pos] == content, "context or removed line does not match"
                pos += 1
            if kind in " +":
                out.append(content)
    out.extend(old_lines[pos:])
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(_old_and_new(), st.data())
def test_apply_hunks_takes_exactly_the_accepted_hunks(
    texts: tuple[str, str], data: st.DataObject
) -> None:
    old, new = texts
    hunks = split_hunks(old, new)
    assert apply_hunks(old, new, [True] * len(hunks)) == new
    assert apply_hunks(old, new, [False] * len(hunks)) == old
    accepted = data.draw(st.lists(st.booleans(), min_size=len(hunks), max_size=len(hunks)))
    merged = apply_hunks(old, new, accepted)
    # The result is old patched with exactly the accepted hunks as shown to the user. (Comparing
    # with a fresh diff of old -> merged would be flaky: difflib may align a change inside a run
    # of identical lines differently once other hunks are dropped.)
    shown = [hunk.text() for hunk, ok in zip(hunks, accepted, strict=True) if ok]
    assert _apply_hunk_texts(old, shown) == merged
    assert (merged != old) == any(accepted)


@settings(max_examples=300, deadline=None)
@given(_old_and_new())
def test_line_opcodes_are_a_valid_edit_script(texts: tuple[str, str]) -> None:
    a, b = (split_lines(text) for text in texts)
    codes = line_opcodes(a, b)
    i = j = 0
    for tag, i1, i2, j1, j2 in codes:
        assert (i1, j1) == (i, j)  # contiguous, covering both sides
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    tags = [tag for tag, *_ in codes]
    assert not any(x == y == "equal" for x, y in itertools.pairwise(tags))  # merged


def test_big_file_with_many_repeated_lines_gives_one_hunk_per_edit() -> None:
    # Without the unique-line anchors, SequenceMatcher(autojunk=False) needs ~30 s for this.
    old_lines = []
    for i in range(20_000):
        old_lines.append(f"def f_{i}():\n" if i % 4 == 0 else ("\n" if i % 4 < 3 else "    pass\n"))
    new_lines = list(old_lines)
    for k in range(10):
        new_lines[k * 2000 + 3] = "    return None\n"
    hunks = split_hunks("".join(old_lines), "".join(new_lines))
    assert [hunk.old_start for hunk in hunks] == [k * 2000 for k in range(10)]
    assert all(len(hunk.old_lines) == 7 for hunk in hunks)


def test_split_hunks_match_unified_diff(tmp_path: Path) -> None:
    old = "".join(f"line {i}\n" for i in range(40))
    new = old.replace("line 5\n", "five\n").replace("line 30\n", "thirty\n")
    hunks = split_hunks(old, new)
    assert len(hunks) == 2
    diff = unified_diff(FileChange(tmp_path / "m.py", old, new), cwd=tmp_path)
    assert diff.split("\n", 2)[2] == "".join(hunk.text() for hunk in hunks)
    merged = apply_hunks(old, new, [False, True])
    assert merged == old.replace("line 30\n", "thirty\n")
    assert [hunk.text() for hunk in split_hunks(old, merged)] == [hunks[1].text()]


# ---------------------------------------------------------------------------------------------
# HTML report

RULES = {
    "middleware-order": RuleInfo(
        id="middleware-order",
        title="Register middleware outermost-last",
        fixable=Fix.SAFE,
        section="3.1 Middleware Registration Order",
        why="Starlette wraps middleware in reverse order.\n\n  add_middleware(A)\n",
    ),
    "merge-entrypoints": RuleInfo(
        id="merge-entrypoints",
        title="Merge duplicate FastAPI entrypoints",
        fixable=Fix.UNSAFE,
        section="2.2 Entrypoints",
        why="Two apps mean two middleware stacks.",
    ),
}


def _sample_result(root: Path) -> Result:
    main = root / "app" / "main.py"
    return Result(
        root=root,
        findings=[
            Finding(
                "middleware-order",
                main,
                12,
                5,
                "wrong order:\nrequest -> RateLimit -> Security -> app",
                Fix.SAFE,
                applied=True,
            ),
            Finding(
                "merge-entrypoints", root / "app" / "api.py", 3, 1, "second FastAPI()", Fix.UNSAFE
            ),
        ],
        changes=[
            FileChange(main, "a = 1\nb = 2\n", "a = 1\nb = 3\n", rules=["middleware-order"]),
            FileChange(
                root / "app" / "new.py", None, "created = True\n", rules=["merge-entrypoints"]
            ),
            FileChange(
                root / "app" / "gone.py", "deleted = True\n", None, rules=["merge-entrypoints"]
            ),
        ],
        errors=[FileError(root / "broken.py", ErrorKind.PARSE, "invalid syntax at 3:4")],
        files_scanned=7,
    )


def test_html_contains_paths_messages_counts_and_rules(tmp_path: Path) -> None:
    page = render_html([ReportSection("svc", _sample_result(tmp_path))], RULES, cwd=tmp_path)
    assert page.startswith("<!DOCTYPE html>")
    for path in ("app/main.py", "app/new.py", "app/gone.py", "broken.py"):
        assert path in page
    assert str(tmp_path) not in page  # paths are relative to cwd
    assert "wrong order:\nrequest -&gt; RateLimit -&gt; Security -&gt; app" in page
    assert "second FastAPI()" in page
    assert "invalid syntax at 3:4" in page
    assert "app/main.py:12:5" in page
    totals = re.findall(r'<b class="total">(\d+)</b>', page)
    assert totals == ["3", "1", "1", "1", "7"]  # changed, applied, remaining, errors, scanned
    assert "3.1 Middleware Registration Order" in page
    assert "Starlette wraps middleware in reverse order." in page
    assert '<pre class="why">' in page
    assert page.count('<tr class="add">') == 1  # the created file's line
    assert page.count('<tr class="del">') == 1  # the deleted file's line
    assert page.count('<tr class="chg">') == 1  # main.py's edited line, shown paired


def test_html_is_deterministic(tmp_path: Path) -> None:
    result = _sample_result(tmp_path)
    first = render_html([ReportSection("svc", result)], RULES, cwd=tmp_path)
    result.findings.reverse()
    result.changes.reverse()
    assert render_html([ReportSection("svc", result)], RULES, cwd=tmp_path) == first


def test_html_escapes_everything(tmp_path: Path) -> None:
    script = "</script><script>alert(1)</script>"
    evil_name = "<img src=x onerror=alert(1)>.py"
    evil = tmp_path / evil_name
    result = Result(
        root=tmp_path,
        findings=[Finding("x<x-rule>", evil, 1, 1, f"msg {script}", Fix.SAFE, applied=True)],
        changes=[FileChange(evil, f"s = '{script}'\n", f"s = '{script}!'\n", rules=["x<x-rule>"])],
        errors=[FileError(evil, ErrorKind.READ, f"cannot read {script}")],
    )
    rules = {
        "x<x-rule>": RuleInfo(
            "x<x-rule>", f"title {script}", Fix.SAFE, "<x-sec>sec</x-sec>", script
        )
    }
    page = render_html([ReportSection(f"svc{script}", result)], rules, title=script, cwd=tmp_path)
    for raw in (script, evil_name, "<img", "<script", "<x-"):
        assert raw not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in page


def test_html_has_no_external_assets(tmp_path: Path) -> None:
    page = render_html([ReportSection("svc", _sample_result(tmp_path))], RULES, cwd=tmp_path)
    assert "http://" not in page
    assert "https://" not in page
    assert "<link" not in page
    assert "<script" not in page
    assert "@import" not in page
    assert "url(" not in page


def test_html_several_sections_and_unknown_rule(tmp_path: Path) -> None:
    other = Result(
        root=tmp_path / "b",
        findings=[Finding("no-such-rule", tmp_path / "b" / "x.py", 1, 1, "odd")],
    )
    page = render_html(
        [ReportSection("svc-a", _sample_result(tmp_path / "a")), ReportSection("svc-b", other)],
        RULES,
        cwd=tmp_path,
    )
    assert "svc-a" in page and "svc-b" in page
    assert "a/app/main.py" in page and "b/x.py" in page
    assert "(unknown rule)" in page
    assert re.findall(r'<b class="total">(\d+)</b>', page)[2] == "2"  # remaining across sections


def test_side_by_side_separators_and_line_numbers() -> None:
    old = "".join(f"line {i}\n" for i in range(1, 101))
    new = old.replace("line 50\n", "line fifty\n")
    rows = side_by_side_rows(old, new)
    assert rows[0].count("46 unchanged lines") == 1
    assert rows[-1].count("47 unchanged lines") == 1
    changed = [row for row in rows if 'class="chg"' in row]
    assert len(changed) == 1
    assert '<td class="ln">50</td>' in changed[0]
    assert '<span class="hi">fifty</span>' in changed[0]
    assert len(rows) == 1 + 3 + 1 + 3 + 1


def test_side_by_side_shows_crlf_tabs_and_controls_sanely() -> None:
    rows = side_by_side_rows("a\r\n\tb\x00\n", "a\n\tb\x00\n")
    joined = "".join(rows)
    assert "\r" not in joined
    assert "\x00" not in joined and "\u2400" in joined
    assert '<span class="eol">CRLF</span>' in joined and '<span class="eol">LF</span>' in joined
    assert "\tb" in joined


def test_large_block_of_similar_changed_lines_renders_without_intraline(tmp_path: Path) -> None:
    n = 2000
    old = "".join(f"    value_{i} = compute({i}, scale=1.0)\n" for i in range(n))
    new = "".join(f"    value_{i} = compute({i}, scale=2.0)\n" for i in range(n))
    header = "import os\n\n\n\n\n"
    change = FileChange(tmp_path / "big.py", header + old, header + new)
    page = render_html([ReportSection("svc", Result(tmp_path, changes=[change]))], {}, cwd=tmp_path)
    assert page.count('<tr class="chg">') == n
    assert page.count('<tr class="ctx">') == 3
    assert "2 unchanged lines" in page
    assert '<span class="hi">' not in page  # beyond the pair bound: whole-line colouring


def test_small_block_gets_intraline_highlights() -> None:
    old = "".join(f"v{i} = f({i}, 1)\n" for i in range(10))
    new = "".join(f"v{i} = f({i}, 2)\n" for i in range(10))
    rows = side_by_side_rows(old, new)
    assert sum('<span class="hi">2</span>' in row for row in rows) == 10
