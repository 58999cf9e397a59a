"""archfix never runs the target's code, never writes outside the root, escapes what it shows in
HTML, and the code it generates never logs a secret.
"""

from __future__ import annotations

import html
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archfix.cli import main
from archfix.codemods import rules_by_id
from archfix.codemods.base import FixPolicy
from archfix.engine import RunOptions, run
from archfix.models import ErrorKind, FileChange, SourceMeta
from archfix.runner import Overrides, config_for
from archfix.writer import write_changes

MARKER_CODE = """\
import pathlib as _p
_p.Path({marker!r}).joinpath({name!r}).write_text("imported")
"""

APP = """\
from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from .settings import SECRET

app = FastAPI()
app.add_middleware(GZipMiddleware)
app.add_middleware(GZipMiddleware)


def token():
    return _get_secret("API_TOKEN")
"""


def _console_script() -> list[str] | None:
    script = Path(sys.executable).with_name("archfix")
    return [str(script)] if script.is_file() else None


def _armed_target(root: Path, marker: Path) -> None:
    """A project whose every module, and every file Python might pick up, writes a marker."""
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "target"\n')
    pkg = root / "app"
    pkg.mkdir()
    names = {
        "app/__init__.py": "",
        "app/main.py": APP,
        "app/settings.py": "SECRET = 'x'\n",
        "app/__main__.py": "",
        "conftest.py": "",
        "setup.py": "",
        "sitecustomize.py": "",
        "usercustomize.py": "",
        # Shadows of modules archfix itself imports: importing by name from the root would run them.
        "libcst.py": "",
        "click.py": "",
        "typing_extensions.py": "",
    }
    for rel, body in names.items():
        code = MARKER_CODE.format(marker=str(marker), name=rel.replace("/", "_")) + body
        (root / rel).write_text(code)


def test_target_code_is_never_executed(tmp_path: Path) -> None:
    root = tmp_path / "target"
    marker = tmp_path / "markers"
    marker.mkdir()
    _armed_target(root, marker)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    script = _console_script()
    # The console script keeps the root off sys.path (as a user's `archfix` does); `-m` would put
    # the cwd first, so without a script run from outside the root.
    command, cwd, target = (
        (script, root, ".") if script else ([sys.executable, "-m", "archfix"], tmp_path, str(root))
    )
    for args in (["check"], ["fix", "--apply", "--unsafe-fixes"]):
        proc = subprocess.run(
            [*command, *args, target], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        assert list(marker.iterdir()) == [], f"`archfix {' '.join(args)}` imported target code"
    assert (
        "add_middleware(GZipMiddleware)\napp.add_middleware"
        not in (root / "app/main.py").read_text()
    ), "the fix ran (so the files were really processed)"


def test_html_report_escapes_file_names_and_source(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    name = "x<img src=x onerror=alert(1)>.py"
    payload = '</script><script>alert("src")</script><b onmouseover=alert(2)>'
    (root / name).write_text(
        "from fastapi import FastAPI\n"
        "from starlette.middleware.gzip import GZipMiddleware\n\n"
        f"BANNER = {payload!r}  # {payload}\n"
        "app = FastAPI()\n"
        "app.add_middleware(GZipMiddleware)\n"
        "app.add_middleware(GZipMiddleware)\n"
    )
    report = tmp_path / "report.html"
    old = Path.cwd()
    os.chdir(root)
    try:
        for command in ("check", "fix"):
            result = CliRunner().invoke(main, [command, "-j", "1", "--html", str(report), "."])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            page = report.read_text()
            assert "x<img" not in page, "file name not escaped"
            assert "<script>alert" not in page and "<b onmouseover" not in page, (
                "source not escaped"
            )
            assert html.escape("x<img src=x onerror=alert(1)>", quote=False) in page or (
                "x&lt;img" in page
            ), "the file name must still be shown"
            if command == "fix":
                assert "&lt;/script&gt;" in page or "&lt;\\/script&gt;" in page
    finally:
        os.chdir(old)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


def test_generated_secret_helper_never_logs_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if "missing-secret-helper" not in rules_by_id():
        pytest.skip("the missing-secret-helper rule is not registered yet")
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    source = root / "config.py"
    source.write_text(
        "import logging\n"
        "import os\n\n"
        "log = logging.getLogger(__name__)\n\n\n"
        "def token():\n"
        '    return _get_secret("API_TOKEN")\n\n\n'
        "def optional():\n"
        '    return _get_secret("OPTIONAL_TOKEN", "fallback")\n'
    )
    config = config_for(root, Overrides(select=("missing-secret-helper",)))
    result = run(root, [root], config, RunOptions(policy=FixPolicy(apply=True, unsafe=True)))
    assert len(result.changes) == 1, result
    generated = result.changes[0].new_text
    assert generated is not None

    secret = "s3cr3t-VALUE-do-not-log"
    monkeypatch.setenv("API_TOKEN", secret)
    monkeypatch.setenv("OPTIONAL_TOKEN", secret + "-2")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-project")  # the Secret Manager branch too
    monkeypatch.delenv("MISSING_TOKEN", raising=False)
    handler = _Records()
    root_logger = logging.getLogger()
    old_level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    try:
        namespace: dict[str, object] = {"__name__": "target_config"}
        exec(compile(generated, str(source), "exec"), namespace)
        assert namespace["token"]() == secret  # type: ignore[operator]
        assert namespace["optional"]() == secret + "-2"  # type: ignore[operator]
        helper = namespace["_get_secret"]
        with pytest.raises(RuntimeError) as missing:
            helper("MISSING_TOKEN")  # type: ignore[operator]
        assert "MISSING_TOKEN" in str(missing.value)
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(old_level)
    out, err = capsys.readouterr()
    for text in (*handler.lines, out, err, str(missing.value)):
        assert secret not in text, f"secret leaked: {text!r}"


def test_nothing_is_written_outside_the_root(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    root = outer / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "pkg").mkdir()
    body = (
        "from fastapi import FastAPI\nfrom m import Gz\n\napp = FastAPI()\n"
        "app.add_middleware(Gz)\napp.add_middleware(Gz)\n"
    )
    (root / "pkg" / "a.py").write_text(body)
    sibling = outer / "sibling"
    sibling.mkdir()
    (sibling / "b.py").write_text(body)
    (root / "linked").symlink_to(sibling, target_is_directory=True)

    def snapshot() -> dict[str, bytes]:
        return {
            p.relative_to(tmp_path).as_posix(): p.read_bytes()
            for p in tmp_path.rglob("*")
            if p.is_file() and root not in p.parents
        }

    before = snapshot()
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["fix", "--apply", "--unsafe-fixes", "-j", "1", "."])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert snapshot() == before, "archfix wrote outside the project root"
    assert (root / "pkg" / "a.py").read_text() != body, "the file inside the root was fixed"

    # The writer itself refuses a change outside the root, or through a symlinked folder.
    meta = SourceMeta()
    changes = [
        FileChange(sibling / "b.py", body, "x = 1\n", ["test"], meta),
        FileChange(root / "linked" / "b.py", body, "x = 1\n", ["test"], meta),
        FileChange(outer / "new.py", None, "x = 1\n", ["test"], meta),
        FileChange(root / ".." / "escape.py", None, "x = 1\n", ["test"], meta),
    ]
    report = write_changes(changes, root)
    assert not report.written
    assert {e.kind for e in report.errors} <= {ErrorKind.WRITE, ErrorKind.SYMLINK}
    assert len(report.errors) == 4
    assert snapshot() == before
