"""The foundation's acceptance, through the real command line (subprocess ``python -m archfix``)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "broken_backend"
DUPLICATE = "app.add_middleware(PerformanceOptimizationMiddleware"


def archfix(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "archfix", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
    )


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        h.update(rel.encode())
        if path.is_file() and not path.is_symlink():
            h.update(path.read_bytes())
            h.update(oct(path.stat().st_mode).encode())
    return h.hexdigest()


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "broken_backend"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    return dest


def test_dry_run_shows_duplicate_removal_and_leaves_tree_identical() -> None:
    before = tree_hash(EXAMPLE)
    proc = archfix("fix", "examples/broken_backend", "--select", "duplicate-middleware", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "--- a/examples/broken_backend/app/main.py" in proc.stdout
    removed = [
        line for line in proc.stdout.splitlines() if line.startswith("-") and DUPLICATE in line
    ]
    assert len(removed) == 1
    assert tree_hash(EXAMPLE) == before


def test_full_dry_run_on_example_changes_nothing_on_disk() -> None:
    before = tree_hash(EXAMPLE)
    proc = archfix("fix", "examples/broken_backend", cwd=REPO)
    assert "-" + DUPLICATE in proc.stdout.replace("\n-", "\n-")
    assert tree_hash(EXAMPLE) == before


def test_apply_then_nothing_left(example_copy: Path) -> None:
    cwd = example_copy.parent
    first = archfix("fix", "--apply", "broken_backend", cwd=cwd)
    assert first.returncode in (0, 1), first.stderr
    main = (example_copy / "app" / "main.py").read_text()
    # The merged entry point registers it once (black may wrap the call over two lines).
    assert main.count("add_middleware(") and main.count("PerformanceOptimizationMiddleware,") == 1
    again = archfix("fix", "broken_backend", cwd=cwd)
    assert again.stdout == "", again.stdout
    check = archfix("check", "broken_backend", cwd=cwd)
    assert "duplicate-middleware" not in check.stdout


def test_printed_diff_applies_with_git_apply(example_copy: Path, tmp_path: Path) -> None:
    cwd = example_copy.parent
    proc = archfix("fix", "broken_backend", "--select", "duplicate-middleware", cwd=cwd)
    patch = tmp_path / "fix.patch"
    patch.write_text(proc.stdout)
    applied = subprocess.run(["git", "apply", str(patch)], cwd=cwd, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert (example_copy / "app" / "main.py").read_text().count(DUPLICATE) == 1


def test_paths_are_relative_to_cwd(example_copy: Path) -> None:
    inside = archfix("check", ".", "--select", "duplicate-middleware", cwd=example_copy / "app")
    assert inside.stdout.startswith("main.py:")
    above = archfix(
        "check", "broken_backend", "--select", "duplicate-middleware", cwd=example_copy.parent
    )
    assert above.stdout.startswith("broken_backend/app/main.py:")


def test_check_exit_codes(example_copy: Path, tmp_path: Path) -> None:
    findings = archfix("check", str(example_copy), "--select", "duplicate-middleware", cwd=tmp_path)
    assert findings.returncode == 1
    assert "duplicate-middleware" in findings.stdout
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "pyproject.toml").write_text("[project]\nname='clean'\n")
    (clean / "app.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    ok = archfix("check", str(clean), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    missing = archfix("check", "does-not-exist", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    bad_rule = archfix("check", str(clean), "--select", "no-such-rule", cwd=tmp_path)
    assert bad_rule.returncode == 2 and "no-such-rule" in bad_rule.stderr


def test_unknown_config_key_is_one_line_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.archfix]\nselct = ['duplicate-middleware']\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    proc = archfix("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "selct" in proc.stderr and "did you mean 'select'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    (tmp_path / "pyproject.toml").write_text("[tool.archfix]\nunsafe-fixes = 'yes'\n")
    wrong_type = archfix("check", ".", cwd=tmp_path)
    assert wrong_type.returncode == 2 and "must be bool" in wrong_type.stderr


def test_fix_check_flag_exits_1_when_changes_pending(example_copy: Path) -> None:
    proc = archfix("fix", "--check", ".", "--select", "duplicate-middleware", cwd=example_copy)
    assert proc.returncode == 1
    assert (example_copy / "app" / "main.py").read_text().count(DUPLICATE) == 2


DUP_APP = (
    "from fastapi import FastAPI\n"
    "from fastapi.middleware.gzip import GZipMiddleware\n"
    "\n"
    "app = FastAPI()\n"
    "app.add_middleware(GZipMiddleware)\n"
    "app.add_middleware(GZipMiddleware)\n"
)


def _mixed_target(root: Path) -> dict[str, bytes]:
    (root / "pyproject.toml").write_text("[project]\nname = 'mixed'\n")
    files = {
        "broken.py": b"def f(:\n    pass\n",
        "latin.py": ("# -*- coding: latin-1 -*-\n# caf\xe9 \xa9\n" + DUP_APP).encode("latin-1"),
        "crlf.py": DUP_APP.replace("\n", "\r\n").encode(),
        "bom.py": b"\xef\xbb\xbf" + DUP_APP.encode(),
        "noeol.py": DUP_APP.rstrip("\n").encode(),
        "untouched.py": b"x = 1\r\n",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "latin.py").chmod(0o640)
    return files


def test_encodings_line_endings_and_unparsable_file(tmp_path: Path) -> None:
    files = _mixed_target(tmp_path)
    proc = archfix("fix", "--apply", ".", cwd=tmp_path)
    assert proc.returncode == 1, "a skipped file must make the exit code non-zero"
    assert "broken.py" in proc.stderr and "syntax error" in proc.stderr
    assert (tmp_path / "broken.py").read_bytes() == files["broken.py"]
    assert (tmp_path / "untouched.py").read_bytes() == files["untouched.py"]
    second = b"app.add_middleware(GZipMiddleware)"
    latin = (tmp_path / "latin.py").read_bytes()
    assert latin == files["latin.py"].replace(second + b"\n" + second + b"\n", second + b"\n")
    assert (tmp_path / "latin.py").stat().st_mode & 0o777 == 0o640
    crlf = (tmp_path / "crlf.py").read_bytes()
    assert crlf == files["crlf.py"].replace(second + b"\r\n" + second + b"\r\n", second + b"\r\n")
    bom = (tmp_path / "bom.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom.count(second) == 1
    noeol = (tmp_path / "noeol.py").read_bytes()
    assert noeol == files["noeol.py"].replace(second + b"\n" + second, second)


def test_html_report_escapes_source(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    payload = "</script><script>alert(1)</script>"
    (tmp_path / "app.py").write_text(
        DUP_APP + f"TITLE = {payload!r}\napp.add_middleware(GZipMiddleware)\n"
    )
    report = tmp_path / "report.html"
    proc = archfix("fix", ".", "--html", str(report), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = report.read_text()
    assert payload not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script src" not in html and "<link" not in html


def test_json_output_is_stable_schema(example_copy: Path) -> None:
    proc = archfix(
        "fix", ".", "--format", "json", "--select", "duplicate-middleware", cwd=example_copy
    )
    data = json.loads(proc.stdout)
    assert data["schema"] == 1
    assert data["summary"]["files_changed"] == 1
    assert data["changes"][0]["path"] == "app/main.py"
    assert data["findings"][0]["rule"] == "duplicate-middleware"
    assert data["findings"][0]["applied"] is True


def test_interactive_accepts_and_refuses_hunks(example_copy: Path) -> None:
    no = archfix(
        "fix",
        "--apply",
        "--interactive",
        ".",
        "--select",
        "duplicate-middleware",
        cwd=example_copy,
        input="n\n",
    )
    assert no.returncode == 0, no.stderr
    assert (example_copy / "app" / "main.py").read_text().count(DUPLICATE) == 2
    yes = archfix(
        "fix",
        "--apply",
        "--interactive",
        ".",
        "--select",
        "duplicate-middleware",
        cwd=example_copy,
        input="y\n",
    )
    assert yes.returncode == 0, yes.stderr
    assert (example_copy / "app" / "main.py").read_text().count(DUPLICATE) == 1


def test_color_only_on_request(example_copy: Path) -> None:
    plain = archfix("fix", ".", "--select", "duplicate-middleware", cwd=example_copy)
    assert "\x1b[" not in plain.stdout


def test_rules_and_explain(tmp_path: Path) -> None:
    proc = archfix("rules", cwd=tmp_path)
    assert proc.returncode == 0
    assert "duplicate-middleware" in proc.stdout and "safe" in proc.stdout
    explain = archfix("rules", "--explain", "duplicate-middleware", cwd=tmp_path)
    assert "runs twice" in explain.stdout


def test_demo_prints_diff_and_report_path(tmp_path: Path) -> None:
    proc = archfix("demo", "--dir", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "-" + DUPLICATE in proc.stdout
    report = tmp_path / "archfix-report.html"
    assert f"HTML report: {report}" in proc.stdout
    assert report.is_file() and "PerformanceOptimizationMiddleware" in report.read_text()
    assert tree_hash(EXAMPLE)  # the bundled example itself is only read


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    script = shutil.which("archfix", path=str(Path(sys.executable).parent))
    assert script is not None, "console script archfix is not installed next to the interpreter"
    out = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "archfix" in out.stdout


MOVED = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    JWT_SECRET_KEY: str = _get_secret("JWT_SECRET_KEY")


app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
"""


def test_remaining_findings_point_at_the_file_on_disk(tmp_path: Path) -> None:
    """missing-secret-helper adds a helper above the CORS call that cors-wildcard reports after
    it: a dry run leaves the file as it was, so the finding keeps check's line; after --apply
    it names the line in the written file."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    main = tmp_path / "app" / "main.py"
    main.write_text(MOVED)

    def cors_line(*args: str) -> int:
        proc = archfix(*args, "--format", "json", "--no-cache", cwd=tmp_path)
        found = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "cors-wildcard"]
        assert len(found) == 1, proc.stdout
        return int(found[0]["line"])

    assert cors_line("check", ".") == 11
    assert cors_line("fix", ".") == 11
    written = cors_line("fix", ".", "--apply")
    assert (
        main.read_text().splitlines()[written - 1].startswith("app.add_middleware(CORSMiddleware")
    )
    assert written > 11
