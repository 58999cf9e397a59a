"""archfix batch: many services in parallel, manifests, shards, summaries and merged reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from monorepo import add_broken, add_clean, make_monorepo, services, tree_state

from archfix.batch import (
    ManifestError,
    Service,
    parse_manifest,
    parse_shard,
    select_shard,
)
from archfix.cli import main
from archfix.reporters.json_report import load_results


def run(args: list[str]) -> object:
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def mono(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_monorepo(tmp_path / "mono")
    monkeypatch.chdir(root)
    return root


def test_preview_shows_broken_services_reports_clean_and_changes_nothing(mono: Path) -> None:
    before = tree_state(mono)
    result = run(["batch", *services(mono), "--jobs", "2", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "+++ b/services/alpha/app/main.py" in result.stdout
    assert "+++ b/services/beta/app/main.py" in result.stdout
    assert "services/clean" not in result.stdout
    progress = [line for line in result.stderr.splitlines() if re.match(r"\[\d/3\] ", line)]
    assert len(progress) == 3
    assert re.search(r"^services/clean\s+clean\s+0\s+0\s+0$", result.stderr, re.M)
    assert re.search(r"^services/alpha\s+changes\s+[1-9]", result.stderr, re.M)
    assert "duplicate-middleware" in result.stderr  # the per-rule table
    assert tree_state(mono) == before


def test_failing_service_is_reported_and_the_others_go_on(mono: Path) -> None:
    bad = add_clean(mono / "services" / "zbad")
    (bad / "pyproject.toml").write_text("[tool.archfix]\nselectt = ['ALL']\n")
    result = run(["batch", *services(mono), "--jobs", "2", "--no-color"])
    assert result.exit_code == 2
    assert "+++ b/services/alpha/app/main.py" in result.stdout
    assert re.search(r"\[\d/4\] services/zbad: failed: .*selectt", result.stderr)
    assert re.search(r"^services/zbad\s+failed", result.stderr, re.M)


def test_missing_folder_is_a_failed_service(mono: Path) -> None:
    result = run(["batch", "services/clean", "services/nope", "--format", "json"])
    assert result.exit_code == 2
    entries = {e["name"]: e for e in json.loads(result.stdout)["results"]}
    assert entries["services/nope"]["status"] == "failed"
    assert "not a directory" in entries["services/nope"]["failure"]
    assert entries["services/clean"]["status"] == "clean"


def test_check_exits_1_when_changes_are_pending(mono: Path) -> None:
    assert run(["batch", "services/alpha", "--check"]).exit_code == 1
    assert run(["batch", "services/clean", "--check"]).exit_code == 0


def test_shards_cover_every_service_exactly_once() -> None:
    pool = [Service(Path(f"/srv/s{n:02d}")) for n in (7, 3, 11, 1, 5, 9, 2, 8, 4, 6, 10)]
    for count in (1, 2, 3, 4, 11, 13):
        shards = [select_shard(pool, i, count) for i in range(1, count + 1)]
        flat = [s.path for shard in shards for s in shard]
        assert sorted(flat) == sorted(s.path for s in pool)
        assert len(flat) == len(set(flat))
        # Deterministic whatever the input order.
        assert shards == [select_shard(list(reversed(pool)), i, count) for i in range(1, count + 1)]


def test_shards_on_the_command_line(mono: Path) -> None:
    names = []
    for shard in ("1/2", "2/2"):
        result = run(["batch", *reversed(services(mono)), "--shard", shard, "--format", "json"])
        assert result.exit_code == 0, result.output
        names.append([e["name"] for e in json.loads(result.stdout)["results"]])
    assert sorted(names[0] + names[1]) == services(mono)
    assert not set(names[0]) & set(names[1])


@pytest.mark.parametrize("bad", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_bad_shard(bad: str, mono: Path) -> None:
    with pytest.raises(ValueError):
        parse_shard(bad)
    result = run(["batch", "services/clean", "--shard", bad])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_manifest_globs_and_per_service_overrides(mono: Path) -> None:
    manifest = mono / "archfix-services.toml"
    manifest.write_text(
        '[[service]]\npath = "services/alpha"\nname = "alpha"\nselect = ["duplicate-middleware"]\n\n'
        '[[service]]\npath = "services/*"\nignore = ["duplicate-middleware"]\n'
    )
    result = run(["batch", "--manifest", str(manifest), "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = {e["name"]: e for e in json.loads(result.stdout)["results"]}
    # alpha is listed twice (by name, then by the glob): the first entry wins.
    assert set(entries) == {"alpha", "services/beta", "services/clean"}
    assert {f["rule"] for f in entries["alpha"]["findings"]} == {"duplicate-middleware"}
    beta_rules = {f["rule"] for f in entries["services/beta"]["findings"]}
    assert beta_rules and "duplicate-middleware" not in beta_rules


@pytest.mark.parametrize(
    "text",
    [
        "[[service]]\nname = 'x'\n",
        "[[service]]\npath = 'a'\nselcet = []\n",
        "[[service]]\npath = 'a'\nselect = 'ALL'\n",
        "[services]\npath = 'a'\n",
        "[[service]]\npath = 'nothing-*'\n",
        "not toml [",
    ],
)
def test_bad_manifest(text: str, tmp_path: Path) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(text, tmp_path)


def test_cli_select_wins_over_manifest(mono: Path) -> None:
    manifest = mono / "m.toml"
    manifest.write_text('[[service]]\npath = "services/beta"\nselect = ["duplicate-middleware"]\n')
    result = run(
        ["batch", "--manifest", "m.toml", "--select", "misplaced-import", "--format", "json"]
    )
    rules = {f["rule"] for f in json.loads(result.stdout)["results"][0]["findings"]}
    assert rules == {"misplaced-import"}


def test_html_report_has_a_section_per_service(mono: Path) -> None:
    result = run(["batch", *services(mono), "--html", "batch.html"])
    assert result.exit_code == 0, result.output
    html = (mono / "batch.html").read_text()
    for name in ("services/alpha (changes)", "services/beta (changes)", "services/clean (clean)"):
        assert name in html
    assert html.count('<details class="file"') >= 2


def test_report_merge_of_shards(mono: Path) -> None:
    for shard in ("1/2", "2/2"):
        result = run(["batch", *services(mono), "--shard", shard, "--format", "json"])
        (mono / f"shard-{shard[0]}.json").write_text(result.stdout)
    result = run(["report", "merge", "shard-1.json", "shard-2.json", "--html", "merged.html"])
    assert result.exit_code == 0, result.output
    html = (mono / "merged.html").read_text()
    for name in ("services/alpha (changes)", "services/beta (changes)", "services/clean (clean)"):
        assert name in html
    # The side-by-side diff is rebuilt from the JSON diff, at the right line numbers.
    row = re.search(
        r'<tr class="del"><td class="ln">(\d+)</td><td class="o">app.add_middleware\(Performance',
        html,
    )
    assert row
    original = (mono / "services/alpha/app/main.py").read_text().splitlines()
    assert original[int(row.group(1)) - 1].startswith("app.add_middleware(Performance")


def test_report_merge_rejects_non_results(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    result = run(["report", "merge", str(bad), "--html", str(tmp_path / "o.html")])
    assert result.exit_code == 2
    assert not (tmp_path / "o.html").exists()


def test_json_round_trip_keeps_texts_at_their_lines(mono: Path) -> None:
    result = run(["batch", "services/alpha", "--format", "json"])
    [(res, name, extra)] = load_results(result.stdout)
    assert name == "services/alpha" and extra["status"] == "changes"
    for change in res.changes:
        real = (mono / change.path).read_text().splitlines()
        assert change.old_text is not None
        for n, line in enumerate(change.old_text.splitlines()):
            assert line == "" or line == real[n]


def test_separate_service_roots_each_get_their_own_config(tmp_path: Path, monkeypatch) -> None:
    one = add_broken(tmp_path / "one")
    two = add_broken(tmp_path / "two")
    (two / "pyproject.toml").write_text(
        '[project]\nname = "two"\n\n[tool.archfix]\nselect = ["misplaced-import"]\n'
    )
    monkeypatch.chdir(tmp_path)
    result = run(["batch", "one", "two", "--format", "json"])
    entries = {e["name"]: e for e in json.loads(result.stdout)["results"]}
    assert {f["rule"] for f in entries["two"]["findings"]} == {"misplaced-import"}
    assert len({f["rule"] for f in entries["one"]["findings"]}) > 1
    assert one.is_dir()
