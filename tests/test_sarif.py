"""SARIF 2.1.0 and GitHub annotation output."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from monorepo import add_broken, add_clean

from archfix.cli import main
from archfix.models import ErrorKind, FileError, Finding, Fix, Result
from archfix.reporters.github import escape_data, escape_property, render_github
from archfix.reporters.sarif import render_sarif

LEVELS = {"none", "note", "warning", "error"}


def run(args: list[str]) -> object:
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    add_broken(tmp_path / "services" / "alpha")
    add_clean(tmp_path / "services" / "clean")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_structure(log: dict, roots: list[Path]) -> None:
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert len(log["runs"]) == len(roots)
    for run_, root in zip(log["runs"], roots, strict=True):
        driver = run_["tool"]["driver"]
        assert driver["name"] == "archfix"
        assert driver["version"] and driver["informationUri"].startswith("https://")
        rules = driver["rules"]
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            for key in ("id", "name", "shortDescription", "fullDescription", "help"):
                assert rule[key], (rule["id"], key)
            assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
            assert rule["properties"]["fixable"] in {"safe", "unsafe", "no"}
        for result in run_["results"]:
            assert result["ruleId"] == ids[result["ruleIndex"]]
            assert result["level"] in LEVELS
            assert result["message"]["text"]
            [location] = result["locations"]
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            uri = artifact["uri"]
            assert not uri.startswith("/") and ":" not in uri
            assert artifact["uriBaseId"] == "SRCROOT"
            assert (root / unquote(uri)).is_file(), uri
            assert physical["region"]["startLine"] >= 1
            assert physical["region"]["startColumn"] >= 1


def test_check_sarif_structure_and_locations(workspace: Path) -> None:
    result = run(["check", "services/alpha", "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    check_structure(log, [workspace / "services" / "alpha"])
    results = log["runs"][0]["results"]
    assert results
    # Same places as the JSON output, URIs relative to the service root.
    findings = json.loads(run(["check", "services/alpha", "--format", "json"]).stdout)["findings"]
    assert len(results) == len(findings)
    for sarif_result, finding in zip(results, findings, strict=True):
        region = sarif_result["locations"][0]["physicalLocation"]["region"]
        uri = sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert "services/alpha/" + uri == finding["path"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["col"])
        assert sarif_result["ruleId"] == finding["rule"]
    base = log["runs"][0]["originalUriBaseIds"]
    assert base["SRCROOT"] == {"uri": "services/alpha/", "uriBaseId": "CWD"}
    assert base["CWD"]["uri"].startswith("file:///") and base["CWD"]["uri"].endswith("/")


def test_batch_sarif_one_run_per_service(workspace: Path) -> None:
    result = run(["batch", "services/alpha", "services/clean", "--format", "sarif"])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    check_structure(log, [workspace / "services" / "alpha", workspace / "services" / "clean"])
    assert log["runs"][0]["results"] and not log["runs"][1]["results"]


def test_sarif_paths_cwd_for_github(workspace: Path) -> None:
    result = run(["check", "services/alpha", "--format", "sarif", "--sarif-paths", "cwd"])
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(result.stdout)["runs"][0]["results"]
    }
    assert uris and all(u.startswith("services/alpha/app/") for u in uris)


def test_fix_apply_reports_only_what_remains(workspace: Path) -> None:
    result = run(["fix", "services/alpha", "--apply", "--format", "sarif"])
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results and not any(r["properties"]["applied"] for r in results)


def test_errors_are_notifications_and_paths_are_encoded(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    finding = Finding("x-rule", root / "a b%.py", 3, 5, "msg", Fix.SAFE)
    error = FileError(root / "bad.py", ErrorKind.PARSE, "cannot parse")
    log = json.loads(render_sarif([Result(root, [finding], [], [error])], {}, cwd=tmp_path))
    [run_] = log["runs"]
    uri = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "a%20b%25.py"
    assert run_["tool"]["driver"]["rules"][0]["id"] == "x-rule"
    [invocation] = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "parse: cannot parse"


def test_github_annotations_are_escaped(tmp_path: Path) -> None:
    assert escape_data("50% a\r\nb:c,d") == "50%25 a%0D%0Ab:c,d"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = Finding("dup-rule", tmp_path / "x,y:z.py", 4, 2, "first\nsecond 100%", Fix.SAFE)
    line = render_github([Result(tmp_path, [finding])], cwd=tmp_path)
    assert line == "::warning file=x%2Cy%3Az.py,line=4,col=2,title=dup-rule::first%0Asecond 100%25"


def test_check_github_format(workspace: Path) -> None:
    result = run(["check", "services/alpha", "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::warning file=services/alpha/app/") for line in lines)
