"""merge-entrypoints verification through the fork server gives what plain subprocesses give.

Each test runs the same verification both ways (the fork server, and ``ARCHFIX_VERIFY_FORK=0``) and
compares dumps or VerifyError messages; the copy's temp dir name is the only thing that may differ.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from golden_cases import run_rule

import archfix.codemods.merge_entrypoints as merge_rule
from archfix.merge import verify
from archfix.merge.verify import Target, VerifyError, dump_before_after

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "broken_backend"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork server needs os.fork")


@pytest.fixture(autouse=True)
def servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh fork servers for each test, stopped after it; PYTHONPATH absolute (else no forking)."""
    monkeypatch.delenv(verify._FORK_SWITCH, raising=False)
    pythonpath = [
        os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    ]
    if pythonpath:
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(pythonpath))
    monkeypatch.setattr(verify, "_servers", verify._Servers())
    yield
    verify._shutdown()


@pytest.fixture
def plain_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The specs of every plain verification subprocess (the fork path runs none)."""
    calls: list[list[str]] = []
    real = subprocess.run

    def run(args: Any, *rest: Any, **kwargs: Any) -> subprocess.CompletedProcess:
        if isinstance(args, list) and args[1:3] == ["-c", verify.DUMP]:
            calls.append(args[3:])
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    return calls


def _normal(value: object) -> str:
    """The value as JSON, without the random name of the project copy's temp dir."""
    return re.sub(r"archfix-merge-[^/\\'\"]+", "archfix-merge-X", json.dumps(value, sort_keys=True))


def _both(monkeypatch: pytest.MonkeyPatch, call: Callable[[], object]) -> tuple[str, str]:
    """(forked, plain) results of call: its return value or the VerifyError it raised."""
    results = []
    for switch in (None, "0"):
        if switch is None:
            monkeypatch.delenv(verify._FORK_SWITCH, raising=False)
        else:
            monkeypatch.setenv(verify._FORK_SWITCH, switch)
        try:
            results.append(_normal(call()))
        except VerifyError as exc:
            results.append(_normal(f"VerifyError: {exc}"))
    monkeypatch.delenv(verify._FORK_SWITCH, raising=False)
    return results[0], results[1]


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _env(**extra: str) -> dict[str, str]:
    return {**verify.base_env([], {}), **extra}


def _dump(root: Path, *targets: Target, env: dict[str, str] | None = None) -> object:
    return dump_before_after(sys.executable, root, {}, {}, list(targets), env or _env())


def _live() -> list[verify._Zygote]:
    return [z for z in verify._servers.live.values() if z is not None]


def test_example_merge_dumps_are_identical_forked_and_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    calls = []
    real = merge_rule.dump_before_after

    def spy(*args: Any) -> tuple[dict, dict]:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(merge_rule, "dump_before_after", spy)
    result = run_rule(root, "merge-entrypoints", apply=True, unsafe=False)
    assert result.changes, [f.message for f in result.findings]  # verified through the server
    assert plain_runs == [] and len(_live()) == 1
    [args] = calls
    forked, plain = _both(monkeypatch, lambda: real(*args))
    assert len(plain_runs) == len(args[4]) + 1  # each original, then the merged modules
    assert '"/health"' in forked
    assert forked == plain


def test_an_app_that_fails_gives_the_same_verify_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    root = _tree(
        tmp_path / "broken",
        {
            "pkg/__init__.py": "",
            "pkg/sub.py": "VALUE = 1\n",
            "main.py": "from fastapi import FastAPI\nfrom pkg.sub import missing\napp = FastAPI()\n",
            "boom.py": (
                "class Boom:\n"
                "    @property\n"
                "    def routes(self):\n"
                "        raise RuntimeError('no routes here')\n"
                "app = Boom()\n"
            ),
        },
    )
    imports = _both(monkeypatch, lambda: _dump(root, Target("main", "app", Path("."), "main.py")))
    assert "cannot import name 'missing' from 'pkg.sub'" in imports[0]
    assert "archfix-merge-X/project/pkg/sub.py" in imports[0]
    assert imports[0] == imports[1]
    # An exception that escapes the dump code: exit status 1, the traceback's last line.
    escapes = _both(monkeypatch, lambda: _dump(root, Target("boom", "app", Path("."), "boom.py")))
    assert "the import subprocess failed: RuntimeError: no routes here" in escapes[0]
    assert escapes[0] == escapes[1]
    assert len(plain_runs) == 2


def test_fail_fast_never_imports_the_later_originals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "imported"
    root = _tree(
        tmp_path / "variants",
        {
            "first.py": "raise RuntimeError('first is broken')\n",
            "second.py": (
                f"open({str(marker)!r}, 'w').close()\n"
                "from fastapi import FastAPI\napp = FastAPI()\n"
            ),
        },
    )
    targets = [
        Target("first", "app", Path("."), "first.py"),
        Target("second", "app", Path("."), "second.py"),
    ]
    forked, plain = _both(monkeypatch, lambda: _dump(root, *targets))
    assert (
        forked
        == plain
        == _normal(
            "VerifyError: the original first.py does not import: RuntimeError: first is broken"
        )
    )
    assert not marker.exists()


@pytest.mark.parametrize(
    ("files", "root"),
    [
        ({"sqlalchemy/__init__.py": "MARK = 'local sqlalchemy'\n"}, "."),
        ({"src/sqlalchemy.py": "MARK = 'local sqlalchemy'\n"}, "src"),
        (
            {
                "fastapi.py": (
                    "class FastAPI:\n"
                    "    routes = []\n"
                    "    def __init__(self, title):\n"
                    "        self.title = title\n"
                )
            },
            ".",
        ),
    ],
)
def test_a_project_module_named_like_a_preloaded_one_is_the_one_imported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plain_runs: list[list[str]],
    files: dict[str, str],
    root: str,
) -> None:
    app = (
        "from fastapi import FastAPI\n"
        "try:\n"
        "    import sqlalchemy\n"
        "except ImportError:\n"
        "    sqlalchemy = None\n"
        "title = getattr(sqlalchemy, 'MARK', 'installed sqlalchemy')\n"
        "app = FastAPI(title=title + ' / ' + FastAPI.__module__)\n"
    )
    project = _tree(tmp_path / "shadow", {**files, f"{root}/main.py": app})
    forked, plain = _both(
        monkeypatch, lambda: _dump(project, Target("main", "app", Path(root), "main.py"))
    )
    assert forked == plain
    local_fastapi = "fastapi.py" in files
    sqlalchemy = "installed sqlalchemy" if local_fastapi else "local sqlalchemy"
    fastapi = "fastapi" if local_fastapi else "fastapi.applications"
    assert f"'{sqlalchemy} / {fastapi}'" in forked
    assert len(plain_runs) == 4  # the fork server refused: the project provides a loaded module


@pytest.mark.parametrize(
    "locale", [{"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}, {}], ids=["utf8", "C"]
)
def test_the_child_has_exactly_the_subprocess_environment_and_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plain_runs: list[list[str]],
    locale: dict[str, str],
) -> None:
    extra = _tree(tmp_path / "extra", {"extra_module.py": "VALUE = 'from PYTHONPATH'\n"})
    app = (
        "import json, os, sys\n"
        "import __main__\n"
        "import extra_module\n"
        "from fastapi import FastAPI\n"
        "state = {\n"
        "    'env': dict(os.environ), 'path': sys.path, 'argv': sys.argv, 'cwd': os.getcwd(),\n"
        "    'orig_argv': getattr(sys, 'orig_argv', [None, None])[1:2],\n"
        "    'main': sorted(vars(__main__)), 'main_name': __main__.__name__,\n"
        "    'file': __file__, 'extra': extra_module.VALUE, 'bytecode': sys.dont_write_bytecode,\n"
        "    'stdin': sys.stdin.read(), 'pid_is_new': os.getpid() != int(os.environ['PARENT_PID']),\n"
        "}\n"
        "app = FastAPI(title=json.dumps(state))\n"
    )
    root = _tree(tmp_path / "envtree", {"src/pkg/__init__.py": "", "src/pkg/main.py": app})
    monkeypatch.setenv("ONLY_IN_ARCHFIX", "1")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/"),
        "ONLY_IN_REQUEST": "yes",
        "PARENT_PID": str(os.getpid()),
        "PYTHONPATH": str(extra),
        **locale,
    }
    target = Target("pkg.main", "app", Path("src"), "main.py")
    forked, plain = _both(monkeypatch, lambda: _dump(root, target, env=env))
    assert forked == plain
    assert plain_runs == [["pkg.main:app"], ["pkg.main:app"]]  # the plain half only
    original, _ = json.loads(forked)
    state = json.loads(ast.literal_eval(original["main.py"]["settings"]["title"]))
    copy = state["cwd"]
    requested = {
        **env,
        "PYTHONPATH": f"{copy}/src{os.pathsep}{extra}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if locale:
        assert state["env"] == requested
    else:  # the C locale: the interpreter may coerce it (PEP 538), the fork child does the same
        assert {k: v for k, v in state["env"].items() if k != "LC_CTYPE"} == requested
    assert "ONLY_IN_ARCHFIX" not in state["env"]
    assert state["path"][:3] == ["", f"{copy}/src", str(extra)]
    bare = subprocess.run(
        [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"],
        env={k: v for k, v in env.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert state["path"][3:] == json.loads(bare.stdout)[1:]  # then the interpreter's own
    assert state["argv"] == ["-c", "pkg.main:app"] and state["orig_argv"] == ["-c"]
    assert state["main_name"] == "__main__" and "flat" not in state["main"] and "r" in state["main"]
    assert state["file"] == f"{copy}/src/pkg/main.py"
    assert state["extra"] == "from PYTHONPATH" and state["bytecode"] is True
    assert state["stdin"] == "" and state["pid_is_new"] is True


def test_a_crashing_child_does_not_stop_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    root = _tree(
        tmp_path / "crash",
        {
            "exits.py": "import os\nos._exit(3)\n",
            "segfaults.py": "import ctypes\nctypes.string_at(0)\n",
            "good.py": "from fastapi import FastAPI\napp = FastAPI(title='still here')\n",
        },
    )
    for name in ("exits", "segfaults"):
        forked, plain = _both(
            monkeypatch, lambda n=name: _dump(root, Target(n, "app", Path("."), f"{n}.py"))
        )
        assert forked == plain == _normal("VerifyError: the import subprocess failed: no output")
    [server] = _live()
    original, merged = _dump(root, Target("good", "app", Path("."), "good.py"))
    assert (
        original["good.py"]["settings"]["title"]
        == "'still here'"
        == merged["good.py"]["settings"]["title"]
    )
    assert _live() == [server] and server.proc.poll() is None
    assert len(plain_runs) == 2  # the plain halves of the two crashes
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    if children.exists():
        assert children.read_text().split() == []  # every child reaped: no zombies


def test_shutdown_stops_the_server_and_removes_its_directory(tmp_path: Path) -> None:
    root = _tree(tmp_path / "app", {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    for _ in range(3):
        _dump(root, Target("main", "app", Path("."), "main.py"))
    [server] = _live()
    home = Path(server.home)
    assert home.is_dir() and list(home.iterdir()) == []  # output files are anonymous
    verify._shutdown()
    assert server.proc.poll() is not None and not home.exists()


@pytest.mark.parametrize(
    "server_code",
    [
        "raise SystemExit(3)",
        "import os\nos.write(1, b'not json\\n')\nimport time\ntime.sleep(60)",
        "import os, sys\nos.write(1, b'{\"ready\": true}\\n')\nsys.stdin.readline()",
    ],
    ids=["does-not-start", "garbles", "dies-on-request"],
)
def test_a_broken_server_falls_back_to_subprocesses(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plain_runs: list[list[str]],
    server_code: str,
) -> None:
    root = _tree(
        tmp_path / "app", {"main.py": "from fastapi import FastAPI\napp = FastAPI(title='ok')\n"}
    )
    target = Target("main", "app", Path("."), "main.py")
    reference = _normal(_dump(root, target))
    assert plain_runs == []
    verify._shutdown()
    monkeypatch.setattr(verify, "_servers", verify._Servers())
    monkeypatch.setattr(verify, "_SERVER", server_code)
    assert _normal(_dump(root, target)) == reference
    assert plain_runs == [["main:app"], ["main:app"]]
    assert _live() == []


def test_the_server_never_imports_from_pythonpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    marker = tmp_path / "imported"
    # A preloaded module that PYTHONPATH (where the project may be) shadows; the app never imports it.
    assert "dotenv" in verify._PRELOAD
    extra = _tree(tmp_path / "extra", {"dotenv.py": f"open({str(marker)!r}, 'w').close()\n"})
    root = _tree(tmp_path / "app", {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    env = _env(PYTHONPATH=str(extra))
    forked, plain = _both(
        monkeypatch, lambda: _dump(root, Target("main", "app", Path("."), "main.py"), env=env)
    )
    assert forked == plain and len(_live()) == 1
    assert len(plain_runs) == 4  # the server refused: PYTHONPATH provides a module it loaded
    assert not marker.exists()


def test_an_optional_module_the_frameworks_probe_for_is_seen_as_in_a_subprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    # The server's interpreter lacks email_validator; FastAPI/pydantic look for it when imported.
    extra = _tree(tmp_path / "extra", {"email_validator.py": "VALUE = 1\n"})
    root = _tree(tmp_path / "app", {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    env = _env(PYTHONPATH=str(extra))
    forked, plain = _both(
        monkeypatch, lambda: _dump(root, Target("main", "app", Path("."), "main.py"), env=env)
    )
    assert forked == plain
    if importlib.util.find_spec("email_validator") is None:  # the server refused: all ran plain
        assert (
            len(plain_runs) % 2 == 0
            and plain_runs[: len(plain_runs) // 2] == plain_runs[len(plain_runs) // 2 :]
        )


def test_a_timeout_gives_the_same_message_and_the_server_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    monkeypatch.setattr(verify, "_TIMEOUT", 1)
    root = _tree(
        tmp_path / "slow",
        {
            "slow.py": "import time\ntime.sleep(30)\n",
            "main.py": "from fastapi import FastAPI\napp = FastAPI(title='after')\n",
        },
    )
    forked, plain = _both(
        monkeypatch, lambda: _dump(root, Target("slow", "app", Path("."), "s.py"))
    )
    assert forked == plain and "timed out after 1 seconds" in forked
    [server] = _live()
    original, _ = _dump(root, Target("main", "app", Path("."), "main.py"))
    assert original["main.py"]["settings"]["title"] == "'after'" and _live() == [server]
    assert len(plain_runs) == 1


_APP = {"main.py": "from fastapi import FastAPI\napp = FastAPI(title='pooled')\n"}


def _dump_in_worker(root: str) -> tuple[str, int]:
    """In a pool worker: the dump, and the pid of the server this worker uses."""
    result = _normal(_dump(Path(root), Target("main", "app", Path("."), "main.py")))
    [server] = _live()
    return result, server.proc.pid


def test_each_worker_process_has_its_own_server_and_stops_it(
    tmp_path: Path, plain_runs: list[list[str]]
) -> None:
    root = _tree(tmp_path / "app", _APP)
    expected = _normal(_dump(root, Target("main", "app", Path("."), "main.py")))
    [mine] = _live()  # started before the workers fork: they must not use it
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(_dump_in_worker, [str(root)] * 4))
    assert [r for r, _ in results] == [expected] * 4
    pids = {pid for _, pid in results}
    assert mine.proc.pid not in pids and 1 <= len(pids) <= 2
    for pid in pids:  # each worker stopped and reaped its server when it exited
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert _live() == [mine] and mine.proc.poll() is None
    assert _normal(_dump(root, Target("main", "app", Path("."), "main.py"))) == expected
    assert plain_runs == []


_PYDANTIC_APP = "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\n\nclass Item(BaseModel):\n    name: str\n\n\napp = FastAPI()\n\n\n@app.post('/items')\ndef create(item: Item) -> Item:\n    return item\n"


def test_the_projects_own_egg_info_does_not_stop_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    """``pip install -e .`` leaves ``<name>.egg-info`` in the project: metadata nobody looked up
    while preloading, so the server serves the imports (same dumps as plain subprocesses)."""
    root = _tree(
        tmp_path / "app",
        {
            "main.py": _PYDANTIC_APP,
            "svc.egg-info/PKG-INFO": "Metadata-Version: 2.1\nName: svc\nVersion: 0.1\n",
            "svc.egg-info/entry_points.txt": "[console_scripts]\nsvc = main:run\n",
        },
    )
    target = Target("main", "app", Path("."), "main.py")
    forked, plain = _both(monkeypatch, lambda: _dump(root, target))
    assert forked == plain
    assert len(plain_runs) == 2  # the plain half of _both only: the forked half used the server


def test_metadata_a_preloaded_framework_reads_sends_the_imports_to_subprocesses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_runs: list[list[str]]
) -> None:
    """pydantic reads its plugin entry points when its first model is built (in the server): a
    project that declares one must be imported by plain subprocesses, which load the plugin."""
    if importlib.util.find_spec("pydantic") is None:
        pytest.skip("needs pydantic")
    root = _tree(
        tmp_path / "app",
        {
            "main.py": _PYDANTIC_APP,
            "plug.egg-info/PKG-INFO": "Metadata-Version: 2.1\nName: plug\nVersion: 0.1\n",
            "plug.egg-info/entry_points.txt": "[pydantic]\nplug = plug_impl:plugin\n",
            "plug_impl.py": (
                "class Plugin:\n"
                "    def new_schema_validator(self, *args, **kwargs):\n"
                "        return None, None, None\n\n\n"
                "plugin = Plugin()\n"
            ),
        },
    )
    target = Target("main", "app", Path("."), "main.py")
    forked, plain = _both(monkeypatch, lambda: _dump(root, target))
    assert forked == plain
    assert "VerifyError" not in plain  # the plugin loaded and the apps imported
    assert len(plain_runs) == 4  # both halves ran plain subprocesses (original and merged)
