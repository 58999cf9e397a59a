"""Engine behaviour with purpose-built rules: verification, convergence, round trips, suppression."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from archfix.codemods.base import FileCodemod, FixPolicy, file_suppresses, line_suppresses
from archfix.config import Config
from archfix.engine import RunOptions, process_file, rebase_edit, run
from archfix.models import ErrorKind, Fix
from archfix.project import ModuleIndex, Project

FIX = FixPolicy(apply=True)


def _project(root: Path) -> Project:
    return Project(root=root, config=Config(), files=[], index=ModuleIndex())


class RenameFoo(FileCodemod):
    """Test rule: renames the name ``foo`` to ``bar`` (a safe fix)."""

    id = "rename-foo"
    title = "Rename foo"
    section = "test"
    fixable = Fix.SAFE
    triggers = ("foo",)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value == "foo" and self.report(original_node, "foo -> bar", fix=Fix.SAFE):
            return updated_node.with_changes(value="bar")
        return updated_node


class BreakSyntax(FileCodemod):
    """Test rule: produces code that parses with libcst but does not compile."""

    id = "break-syntax"
    title = "Break"
    section = "test"
    fixable = Fix.SAFE

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.report(original_node, "break", fix=Fix.SAFE):
            return updated_node.with_changes(
                body=[*updated_node.body, cst.parse_statement("return 1")]
            )
        return updated_node


class NeverConverges(FileCodemod):
    """Test rule: appends a statement on every pass."""

    id = "never-converges"
    title = "Grow"
    section = "test"
    fixable = Fix.SAFE

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.report(original_node, "grow", fix=Fix.SAFE):
            return updated_node.with_changes(
                body=[*updated_node.body, cst.parse_statement("x = 1")]
            )
        return updated_node


class Crashes(FileCodemod):
    """Test rule: raises."""

    id = "crashes"
    title = "Crash"
    section = "test"

    def visit_Module(self, node: cst.Module) -> None:
        raise ValueError("boom")


class UnsafeFoo(RenameFoo):
    """Test rule: the same rename, marked unsafe."""

    id = "unsafe-foo"

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value == "foo" and self.report(
            original_node, "foo -> bar", fix=Fix.UNSAFE
        ):
            return updated_node.with_changes(value="bar")
        return updated_node


def test_fix_and_findings(tmp_path: Path) -> None:
    out = process_file(
        tmp_path / "a.py", "foo = 1\nprint(foo)\n", [RenameFoo], _project(tmp_path), FIX
    )
    assert out.text == "bar = 1\nprint(bar)\n"
    assert [(f.line, f.applied) for f in out.applied] == [(1, True), (2, True)]
    assert out.remaining == []


def test_check_mode_reports_without_changing(tmp_path: Path) -> None:
    out = process_file(
        tmp_path / "a.py", "foo = 1\n", [RenameFoo], _project(tmp_path), FixPolicy(apply=False)
    )
    assert out.text == "foo = 1\n"
    assert [(f.line, f.col, f.applied) for f in out.remaining] == [(1, 1, False)]


def test_unsafe_fix_needs_opt_in(tmp_path: Path) -> None:
    src = "foo = 1\n"
    safe_only = process_file(tmp_path / "a.py", src, [UnsafeFoo], _project(tmp_path), FIX)
    assert safe_only.text == src and safe_only.remaining[0].fix is Fix.UNSAFE
    unsafe = process_file(
        tmp_path / "a.py", src, [UnsafeFoo], _project(tmp_path), FixPolicy(apply=True, unsafe=True)
    )
    assert unsafe.text == "bar = 1\n"


def test_change_that_does_not_compile_is_dropped_and_named(tmp_path: Path) -> None:
    out = process_file(
        tmp_path / "a.py", "foo = 1\n", [BreakSyntax, RenameFoo], _project(tmp_path), FIX
    )
    assert out.text == "bar = 1\n", "the other rule's fix still applies"
    assert [(e.kind, e.rule_id) for e in out.errors] == [(ErrorKind.VERIFY, "break-syntax")]
    assert "does not compile" in out.errors[0].message


def test_non_converging_rules_leave_file_unchanged(tmp_path: Path) -> None:
    out = process_file(tmp_path / "a.py", "y = 0\n", [NeverConverges], _project(tmp_path), FIX)
    assert out.text == "y = 0\n"
    assert out.errors and out.errors[0].kind is ErrorKind.CONVERGE


def test_crashing_rule_is_reported_and_others_run(tmp_path: Path) -> None:
    out = process_file(
        tmp_path / "a.py", "foo = 1\n", [Crashes, RenameFoo], _project(tmp_path), FIX
    )
    assert out.text == "bar = 1\n"
    assert out.errors[0].kind is ErrorKind.RULE and "boom" in out.errors[0].message


def test_roundtrip_difference_is_kept_outside_the_edit(tmp_path: Path) -> None:
    src = "try:\n    pass\nexcept (A, B) :\n    pass\nfoo = 1\n"
    out = process_file(tmp_path / "a.py", src, [RenameFoo], _project(tmp_path), FIX)
    assert out.text == "try:\n    pass\nexcept (A, B) :\n    pass\nbar = 1\n"


def test_roundtrip_difference_overlapping_the_edit_skips(tmp_path: Path) -> None:
    src = "try:\n    pass\nexcept (foo, B) :\n    pass\n"
    out = process_file(tmp_path / "a.py", src, [RenameFoo], _project(tmp_path), FIX)
    assert out.text == src
    assert out.errors[0].kind is ErrorKind.ROUNDTRIP
    assert all(not f.applied for f in out.remaining)


def test_rebase_edit_replays_only_the_rule_edit() -> None:
    assert rebase_edit("a  = 1\nb = 2\n", "a = 1\nb = 2\n", "a = 1\nc = 2\n") == "a  = 1\nc = 2\n"
    assert rebase_edit("a  = 1\n", "a = 1\n", "z = 1\n") is None


def test_suppression_comments() -> None:
    assert line_suppresses("x()  # archfix: ignore[rename-foo]", "rename-foo")
    assert line_suppresses("x()  # archfix: ignore", "rename-foo")
    assert not line_suppresses("x()  # archfix: ignore[other]", "rename-foo")
    assert line_suppresses("x()  # reason. archfix: ignore[a, rename-foo]", "rename-foo")
    assert not line_suppresses("x = 'archfix: ignore'", "rename-foo")
    assert file_suppresses("# archfix: ignore-file[rename-foo]\n", "rename-foo")
    assert not file_suppresses("# archfix: ignore-file[other]\n", "rename-foo")
    assert not line_suppresses("# archfix: ignore-file", "rename-foo")


def test_line_suppression_stops_fix(tmp_path: Path) -> None:
    src = "foo = 1  # archfix: ignore[rename-foo]\nfoo2 = foo\n"
    out = process_file(tmp_path / "a.py", src, [RenameFoo], _project(tmp_path), FIX)
    assert out.text == "foo = 1  # archfix: ignore[rename-foo]\nfoo2 = bar\n"


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    dup = "from fastapi import FastAPI\napp = FastAPI()\napp.add_middleware(A)\napp.add_middleware(A)\n"
    for rel in (
        "svc/main.py",
        "tests/test_app.py",
        "generated/app.py",
        "ignored/app.py",
        "skip.py",
    ):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dup)
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "skip.py").write_text("# archfix: ignore-file[duplicate-middleware]\n" + dup)
    config = Config(
        exclude=("generated/",), per_file_ignores={"tests/*": ("duplicate-middleware",)}
    )
    result = run(tmp_path, [tmp_path], config, RunOptions(policy=FixPolicy(apply=False)))
    flagged = sorted({f.path.relative_to(tmp_path).as_posix() for f in result.findings})
    assert flagged == ["svc/main.py"]


def test_per_file_ignores_apply_to_project_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text("from pkg import a\n")
    options = RunOptions(policy=FixPolicy(apply=False))
    plain = run(tmp_path, [tmp_path], Config(select=("import-cycle",)), options)
    assert [f.rule_id for f in plain.findings] == ["import-cycle"]
    ignored = Config(select=("import-cycle",), per_file_ignores={"pkg/*": ("import-cycle",)})
    assert run(tmp_path, [tmp_path], ignored, options).findings == []
    (tmp_path / "pkg" / "a.py").write_text(
        "# archfix: ignore-file[import-cycle]\nfrom pkg import b\n"
    )
    (tmp_path / "pkg" / "b.py").write_text(
        "# archfix: ignore-file[import-cycle]\nfrom pkg import a\n"
    )
    assert run(tmp_path, [tmp_path], Config(select=("import-cycle",)), options).findings == []


class AddMarker(FileCodemod):
    """Test rule: appends ``marker = 1`` once (the text the patched parser below refuses)."""

    id = "add-marker"
    title = "Marker"
    section = "test"
    fixable = Fix.SAFE

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if "marker" in original_node.code:
            return updated_node
        if self.report(original_node, "add", fix=Fix.SAFE):
            return updated_node.with_changes(
                body=[*updated_node.body, cst.parse_statement("marker = 1")]
            )
        return updated_node


class CountingNoop(FileCodemod):
    """Test rule: reports ``x`` names without fixing them, and counts its traversals."""

    id = "counting-noop"
    title = "Count"
    section = "test"
    visits = 0

    def visit_Module(self, node: cst.Module) -> None:
        type(self).visits += 1

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node.value == "x":
            self.report(original_node, "an x")
        return updated_node


def test_rule_is_not_rerun_on_a_text_it_left_unchanged(tmp_path: Path) -> None:
    """Pass 2 re-runs only the rules whose input changed since they last ran; findings stay."""
    CountingNoop.visits = 0
    src = "x = 1\n"
    out = process_file(tmp_path / "a.py", src, [AddMarker, CountingNoop], _project(tmp_path), FIX)
    assert out.text == "x = 1\nmarker = 1\n"
    # pass 1: marker changes the text, the counter runs on the new text; pass 2: marker finds
    # nothing to do, and the counter would see the very text it already saw: not run again.
    assert CountingNoop.visits == 1
    assert [(f.rule_id, f.line) for f in out.remaining] == [("counting-noop", 1)]
    CountingNoop.visits = 0
    out = process_file(tmp_path / "a.py", src, [CountingNoop, AddMarker], _project(tmp_path), FIX)
    # The other order: the counter's input changes after it ran, so pass 2 runs it again.
    assert CountingNoop.visits == 2
    assert [(f.rule_id, f.line) for f in out.remaining] == [("counting-noop", 1)]


def test_run_raises_gc_thresholds_for_its_duration_only(tmp_path: Path, monkeypatch) -> None:
    """The tuned collector applies while a run parses and rewrites, and is restored after it;
    a threshold the caller set higher is kept."""
    import gc

    import archfix.engine as engine

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("foo = 1\n")
    seen: list[tuple[int, int, int]] = []
    original = engine._index_sources

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "_index_sources", spy)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 100)
        run(tmp_path, [tmp_path], Config(), RunOptions(cache=False))
        assert gc.get_threshold() == (700, 10, 100)
    finally:
        gc.set_threshold(*before)
    assert seen == [(engine.GC_THRESHOLD[0], engine.GC_THRESHOLD[1], 100)]


def test_project_rules_reuse_the_tree_the_file_phase_made(tmp_path: Path) -> None:
    """A text the file rules parsed (and possibly fixed) is not parsed again by a project rule
    reading it; the tree handed out prints exactly that text."""
    from archfix import trees

    path = tmp_path / "m.py"
    text = "foo = 1  # keep\n"
    out = process_file(path, text, [RenameFoo], _project(tmp_path), FIX)
    assert out.text == "bar = 1  # keep\n"
    tree = trees.parse_module(out.text)
    assert tree is trees.parse_module(out.text)
    assert tree.code == out.text
    other = "baz = 2\n"
    assert trees.parse_module(other) is not trees.parse_module(other)  # misses are not kept


def test_overlapping_runs_restore_the_callers_gc_thresholds() -> None:
    """Runs in threads overlap out of order: the thresholds come back only after the last one."""
    import gc

    import archfix.engine as engine

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        first, second = engine.tuned_gc(), engine.tuned_gc()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert gc.get_threshold() == engine.GC_THRESHOLD  # the second run is still going
        second.__exit__(None, None, None)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_kept_trees_are_bounded_by_their_source_size(monkeypatch) -> None:
    """Trees take 20-50 bytes per source character: the cache keeps little source in all, and
    never the tree of one large file."""
    import libcst as cst

    from archfix import trees

    monkeypatch.setattr(trees, "_MAX_CHARS", 40)
    monkeypatch.setattr(trees, "_recent", type(trees._recent)())
    monkeypatch.setattr(trees, "_chars", 0)
    large = "x = 1\n" * 10
    trees.remember(large, cst.parse_module(large))
    assert large not in trees._recent
    texts = [f"v{i} = {i}\n" for i in range(10)]  # 7 characters each
    for text in texts:
        trees.remember(text, cst.parse_module(text))
    assert list(trees._recent) == texts[-5:]
    assert trees._chars == sum(map(len, texts[-5:])) <= 40


def test_files_no_rule_wants_by_their_ast_are_not_parsed_by_libcst(tmp_path: Path) -> None:
    """Words that pass the text prefilters ("startup", "rout", "validator", "pool_size") do not
    cost a libcst parse when the ast shows nothing the rules act on; a file that has it does."""
    from archfix.runner import Overrides, config_for

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "words.py").write_text(
        '"""startup, lifespan, routers, validator, pool_size."""\n'
        "def startup_report(pool_size=5):\n"
        "    try:\n"
        "        import json\n"
        "    except ImportError:\n"
        "        pass\n"
    )
    config = config_for(tmp_path, Overrides())
    quiet = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert quiet.files_parsed == 0
    assert quiet.findings == []
    (tmp_path / "app.py").write_text(
        "from fastapi import FastAPI\ndef lifespan_setup(app):\n    init_db()\n    yield\napp = FastAPI()\n"
    )
    busy = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert busy.files_parsed == 1
    assert [f.rule_id for f in busy.findings] == ["unisolated-startup"]


class InsertsLines(FileCodemod):
    """Test rule: puts two statements at the top of a module that has none there yet."""

    id = "inserts-lines"
    title = "Insert"
    section = "test"
    fixable = Fix.SAFE

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        first = updated_node.body[0] if updated_node.body else None
        if isinstance(first, cst.SimpleStatementLine) and "HEADER" in cst.Module([first]).code:
            return updated_node
        if self.report(original_node, "header", fix=Fix.SAFE):
            header = [cst.parse_statement("HEADER = 1"), cst.parse_statement("OTHER = 2")]
            return updated_node.with_changes(body=[*header, *updated_node.body])
        return updated_node


class ReportsMarker(FileCodemod):
    """Test rule: reports every ``marker`` name, without a fix."""

    id = "reports-marker"
    title = "Marker"
    section = "test"

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "marker":
            self.report(node, "marker here")


def test_dry_run_findings_point_at_the_file_on_disk(tmp_path: Path) -> None:
    """A rule that runs after another rule's fix sees the fixed text; its finding is placed in the
    text as read (what check reports, and what a dry run leaves on disk)."""
    text = "x = 1\n\n\ny = marker\n"
    rules = [InsertsLines, ReportsMarker]
    out = process_file(tmp_path / "a.py", text, rules, _project(tmp_path), FIX)
    assert out.text is not None and out.text.splitlines()[5] == "y = marker"
    assert [(f.rule_id, f.line, f.col) for f in out.applied] == [("inserts-lines", 1, 1)]
    assert [(f.rule_id, f.line, f.col) for f in out.remaining] == [("reports-marker", 4, 5)]
