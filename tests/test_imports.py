"""Import repair on the example backend and on real packages (issue 3).

The example's routes import ``get_db`` from ``app.db.base``, which does not define it; after
``archfix fix --apply`` every module must import, ``Base`` must still come from ``app.db.base``, and
``check`` must name the competing database modules and the config <-> secret_manager cycle. On
fastapi, starlette and pydantic (code the rules have never seen) nothing may change.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archfix.codemods.misplaced_import import (
    Ambiguous,
    MisplacedImport,
    Move,
    plan_move,
    relative_parts,
)
from archfix.config import ConfigError
from archfix.engine import load_project
from archfix.models import Fix
from archfix.runner import Overrides, config_for

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken_backend"


def archfix(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "archfix", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_example(tmp_path: Path) -> Path:
    """A copy of the example with no ``[tool.archfix]`` configuration at all (issue 3's acceptance:
    import repair must work on a project it has never seen, with no configuration)."""
    root = tmp_path / "broken_backend"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    pyproject = root / "pyproject.toml"
    kept = pyproject.read_text().split("\n[tool.archfix", 1)[0]
    pyproject.write_text(kept.rstrip() + "\n")
    assert "tool.archfix" not in pyproject.read_text()
    return root


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_from(root: Path, path: Path) -> set[tuple[str, str]]:
    """(module, name) for every ``from`` import in the file, relative ones resolved; plus
    (module, attribute) for attributes read through a module bound by an import."""
    me = module_name(root, path)
    package = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    tree = ast.parse(path.read_text())
    found: set[tuple[str, str]] = set()
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add((module, alias.name))
                modules[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.add((modules[node.value.id], node.attr))
    return found


def every_module(root: Path) -> list[str]:
    return sorted(module_name(root, p) for p in (root / "app").rglob("*.py"))


@pytest.fixture(scope="module")
def fixed_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("imports")
    before = copy_example(tmp / "before")
    after = copy_example(tmp / "after")
    proc = archfix("fix", "--apply", ".", cwd=after)
    assert proc.returncode in (0, 1), proc.stderr
    return before, after


def test_no_module_imports_get_db_from_db_base(fixed_example: tuple[Path, Path]) -> None:
    before, after = fixed_example
    wrong = ("app.db.base", "get_db")
    assert any(wrong in imported_from(before, p) for p in before.rglob("*.py")), "example changed"
    offenders = [p for p in after.rglob("*.py") if wrong in imported_from(after, p)]
    assert not offenders, offenders


def test_base_imports_are_unchanged(fixed_example: tuple[Path, Path]) -> None:
    before, after = fixed_example
    base = ("app.db.base", "Base")
    had = {p.relative_to(before) for p in before.rglob("*.py") if base in imported_from(before, p)}
    has = {p.relative_to(after) for p in after.rglob("*.py") if base in imported_from(after, p)}
    assert had and had == has


def test_every_example_module_imports_after_fix(fixed_example: tuple[Path, Path]) -> None:
    _, after = fixed_example
    code = textwrap.dedent(
        f"""
        import importlib, json
        failed = {{}}
        for name in {every_module(after)!r}:
            try:
                importlib.import_module(name)
            except ImportError as exc:
                failed[name] = str(exc)
        print(json.dumps(failed))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ENVIRONMENT")}
    env.update(PYTHONPATH=str(after), PYTHONDONTWRITEBYTECODE="1", JWT_SECRET_KEY="test")
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        cwd=after,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {}


def test_check_reports_competing_db_modules_and_cycle(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    proc = archfix("check", ".", cwd=root)
    out = proc.stdout
    db_line = next(line for line in out.splitlines() if "competing-db-modules" in line)
    assert "app.database" in db_line and "app.db.base" in db_line and "canonical" in db_line
    assert (
        "app/core/secret_manager.py:13:1: import-cycle import cycle: "
        "app.core.config -> app.core.secret_manager -> app.core.config"
    ) in out
    assert out.count("import-cycle") == 1


@pytest.mark.slow
@pytest.mark.parametrize("package", ["fastapi", "starlette", "pydantic"])
def test_fix_changes_nothing_in_real_packages(package: str, tmp_path: Path) -> None:
    module = pytest.importorskip(package)
    assert module.__file__ is not None
    shutil.copytree(
        Path(module.__file__).parent,
        tmp_path / package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / ".git").mkdir()
    proc = archfix("fix", ".", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "--- a/" not in proc.stdout, proc.stdout[:4000]
    assert "No changes" in proc.stdout + proc.stderr


# --- the index-driven pieces ----------------------------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (root / ".git").mkdir(exist_ok=True)
    return root


TREE = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/db/base.py": "Base = object()\n",
    "app/db/lazy.py": "def __getattr__(name):\n    return name\n",
    "app/database.py": "def get_db():\n    yield None\n",
    "app/routes.py": "from app.db.base import Base, get_db\n",
    "app/clean.py": "from app.db.base import Base\nfrom app.database import get_db\n",
}


def test_wants_parses_only_files_with_a_misplaced_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path, TREE)
    project = load_project(root, [root], config_for(root, Overrides())).project
    routes, clean = root / "app" / "routes.py", root / "app" / "clean.py"
    assert MisplacedImport.wants(routes, routes.read_text(), project)
    assert not MisplacedImport.wants(clean, clean.read_text(), project)


def test_plan_move_trusts_dynamic_modules_and_lists_candidates(tmp_path: Path) -> None:
    files = {**TREE, "app/other.py": "def get_db():\n    yield 1\n"}
    root = write_tree(tmp_path, files)
    index = load_project(root, [root], config_for(root, Overrides())).project.index
    assert plan_move(index, {}, "app.routes", "app.db.lazy", "get_db") is None
    assert plan_move(index, {}, "app.routes", "app.db.base", "Base") is None
    assert plan_move(index, {}, "app.routes", "app.db.base", "get_db") == Ambiguous(
        ("app.database", "app.other")
    )
    settled = plan_move(
        index, {"canonical-db-module": "app.database"}, "app.routes", "app.db.base", "get_db"
    )
    assert isinstance(settled, Move) and settled.module == "app.database"


def test_relative_parts() -> None:
    assert relative_parts(["app", "api", "routes"], "app.database") == (3, "database")
    assert relative_parts(["app", "db"], "app.db.session") == (1, "session")
    assert relative_parts(["app", "api"], "app") == (2, "")
    assert relative_parts(["app"], "other.mod") is None


def test_imports_table_is_validated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.archfix.imports]\n"app.db.base" = 3\n')
    with pytest.raises(ConfigError, match="imports"):
        config_for(tmp_path, Overrides())


def test_namespace_subpackage_is_not_an_import_root(tmp_path: Path) -> None:
    """A folder without ``__init__.py`` inside a package is a namespace subpackage: its
    ``openai.py`` is ``pkg.llms.openai.openai``, not the third-party ``openai`` (LiteLLM's layout),
    so ``from openai import OpenAI`` is not "unresolved". A script folder at the root is named
    from the root, and its modules stay importable by their bare names (run from inside it)."""
    from archfix.engine import RunOptions, run
    from archfix.project import module_name_for

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    files = {
        "pkg/__init__.py": "",
        "pkg/llms/__init__.py": "",
        "pkg/llms/openai/openai.py": "class OpenAIChat:\n    pass\n",
        "pkg/llms/openai/chat/handler.py": "from pkg.llms.openai.openai import OpenAIChat\n",
        "pkg/main.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
        "scripts/tool.py": "print('tool')\n",
    }
    write_tree(tmp_path, files)
    names = {rel: module_name_for(tmp_path / rel, tmp_path)[0] for rel in files}
    assert names["pkg/llms/openai/openai.py"] == "pkg.llms.openai.openai"
    assert names["pkg/llms/openai/chat/handler.py"] == "pkg.llms.openai.chat.handler"
    assert names["scripts/tool.py"] == "scripts.tool"
    config = config_for(tmp_path, Overrides(select=("unresolved-import",)))
    result = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert result.findings == []
    index = load_project(tmp_path, [tmp_path], config).project.index
    tool = index.get("scripts.tool")
    assert tool is not None and index.get("tool") is tool


def test_folders_without_init_name_modules_from_the_root(tmp_path: Path) -> None:
    """Services without ``__init__.py`` files (``src/routers/user.py`` beside ``src/models/user.py``)
    import by the path from the root. Each module gets its own name, so the two ``user`` modules
    are no false cycle, and imports of them are checked; a migrations folder named like the
    installed ``alembic`` does not make ``alembic.runtime`` a project module."""
    from archfix.engine import RunOptions, run

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    files = {
        "src/routers/user.py": "from src.services.accounts import get_user\n",
        "src/services/accounts.py": (
            "from src.models.user import User\n\n\ndef get_user():\n    return User()\n"
        ),
        "src/models/user.py": "class User:\n    pass\n",
        "src/main.py": (
            "from src.routers import user\n"
            "from src.models.user import get_user\n"
            "from src.nothere import thing\n"
        ),
        "alembic/env.py": (
            "from alembic import context\n"
            "from alembic.runtime.migration import MigrationContext\n"
            "from src.models.user import User\n"
        ),
        "alembic/versions/0001_init.py": "from alembic import op\n",
    }
    write_tree(tmp_path, files)
    config = config_for(
        tmp_path, Overrides(select=("import-cycle", "misplaced-import", "unresolved-import"))
    )
    result = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    found = sorted(
        (f.path.relative_to(tmp_path).as_posix(), f.line, f.rule_id) for f in result.findings
    )
    assert found == [
        ("src/main.py", 2, "misplaced-import"),
        ("src/main.py", 3, "unresolved-import"),
    ]


@pytest.mark.parametrize(
    ("init", "gives_submodule"),
    [
        ("", True),
        ("from . import app\n", True),
        ("from .core import app\n", False),  # NiceGUI: the package's attribute is the App
        ("from .core import App as app\n", False),
        ("def app():\n    pass\n", False),
        ("from .core import *\n", False),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .core import app\n", True),
        ("def load():\n    from .core import app\n", True),
    ],
)
def test_from_package_import_name_gives_the_submodule_only_when_nothing_rebinds_it(
    init: str, gives_submodule: bool, tmp_path: Path
) -> None:
    from archfix.project import ModuleIndex

    files = {"ui/__init__.py": init, "ui/app/__init__.py": "", "ui/core.py": "app = 1\n"}
    trees = {}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
        trees[tmp_path / rel] = ast.parse(text)
    index = ModuleIndex.build(tmp_path, trees)
    assert index.is_submodule("ui", "app")
    assert index.binds_submodule("ui", "app") is gives_submodule


def test_bare_names_of_folders_without_init_only_when_unique(tmp_path: Path) -> None:
    """``import utils`` in a script run from its own folder means that folder's ``utils.py``; with
    several folders holding one, the index cannot tell which, so the bare name names none (no
    guess a rule could act on), while a unique one (``database``) stays importable."""
    files = {
        "tools/train/utils.py": "def load_checkpoint():\n    pass\n",
        "tools/train/run.py": "import utils\n\nutils.save_checkpoint()\n",
        "tools/eval/utils.py": "def save_checkpoint():\n    pass\n",
        "web/database.py": "def get_db():\n    pass\n",
        "web/main.py": "from database import get_db\n",
    }
    write_tree(tmp_path, files)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'tools'\n")
    config = config_for(tmp_path, Overrides())
    index = load_project(tmp_path, [tmp_path], config).project.index
    assert index.get("utils") is None
    assert index.get("tools.train.utils") is not None
    assert index.get("database") is index.get("web.database") is not None
    from archfix.engine import RunOptions, run

    result = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert [
        f for f in result.findings if f.rule_id in ("misplaced-import", "unresolved-import")
    ] == []


def test_unresolved_import_follows_the_whole_name_on_disk(tmp_path: Path) -> None:
    """An empty ``app/auth/`` folder is an importable namespace package, but it provides no
    ``app.auth.deps``; a stub or extension file the index does not list still counts."""
    from archfix.engine import RunOptions, run

    files = {
        "app/__init__.py": "",
        "app/main.py": (
            "from app.auth.deps import get_user\n"
            "from app.native import speedup\n"
            "from app.auth import nothing_here\n"
        ),
        "app/native.pyi": "def speedup() -> None: ...\n",
    }
    write_tree(tmp_path, files)
    (tmp_path / "app" / "auth").mkdir()
    config = config_for(tmp_path, Overrides(select=("unresolved-import",)))
    result = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert [(f.line, f.message) for f in result.findings] == [
        (1, "module app.auth.deps does not exist in the project")
    ]


@pytest.mark.parametrize("cached", [False, True])
def test_modules_are_named_the_way_the_project_imports_them(tmp_path: Path, cached: bool) -> None:
    """``core/`` without ``__init__.py`` holds the package ``core/mw`` (imported as ``core.mw``),
    and ``src/`` without packages holds ``app`` (imported as ``app.*``, with ``src`` on the path):
    the modules take those names, so misplaced-import can move a name between them and
    unresolved-import checks ``app.*`` and ``core.*`` imports; a relative import follows."""
    from archfix.engine import RunOptions, run

    files = {
        "core/mw/__init__.py": "from .sql import X, Z\n",
        "core/mw/sql.py": "X = 1\n",
        "core/mw/log.py": "Y = 1\n",
        "server.py": "from core.mw import X, Y\n",
        "src/app/core/ext/http_client.py": "class Aiohttp:\n    pass\n",
        "src/app/server.py": (
            "from app.core.utils.http_client import Aiohttp\n"
            "from app.core.ext.http_client import Aiohttp as Client\n"
        ),
    }
    write_tree(tmp_path, files)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    config = config_for(tmp_path, Overrides())
    options = RunOptions(cache=cached, cache_dir=tmp_path.parent / "cache")
    if cached:
        run(tmp_path, [tmp_path], config, options)  # fill the index cache
    index = load_project(tmp_path, [tmp_path], config).project.index
    assert index.get("mw.log").name == "core.mw.log"  # type: ignore[union-attr]
    assert index.get("src.app.server").name == "app.server"  # type: ignore[union-attr]
    result = run(tmp_path, [tmp_path], config, options)
    found = sorted(
        (f.path.relative_to(tmp_path).as_posix(), f.line, f.message) for f in result.findings
    )
    assert found == [
        ("core/mw/__init__.py", 1, "core.mw.sql does not define Z, and no project module does"),
        ("server.py", 1, "Y is not defined in core.mw; import it from core.mw.log"),
        ("src/app/server.py", 1, "module app.core.utils.http_client does not exist in the project"),
    ]


def test_a_package_that_makes_names_at_run_time_still_has_only_its_submodules(
    tmp_path: Path,
) -> None:
    """A version lookup under ``try`` (Netflix Dispatch's ``__init__``) makes the package dynamic
    for names, not for submodules: a missing ``pkg.missing.views`` is reported. A package that
    extends its ``__path__`` may find submodules elsewhere, so it is trusted."""
    from archfix.engine import RunOptions, run

    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": (
                "try:\n"
                "    VERSION = __import__('importlib.metadata').metadata.version('pkg')\n"
                "except Exception:\n"
                "    VERSION = 'unknown'\n"
            ),
            "pkg/a.py": "from pkg.missing.views import router\n",
            "plug/__init__.py": (
                "from pkgutil import extend_path\n\n__path__ = extend_path(__path__, __name__)\n"
                "try:\n    from plug._version import v\nexcept ImportError:\n    v = '0'\n"
            ),
            "plug/b.py": "from plug.elsewhere import thing\n",
        },
    )
    config = config_for(tmp_path, Overrides(select=("unresolved-import",)))
    result = run(tmp_path, [tmp_path], config, RunOptions(cache=False))
    assert [(f.path.name, f.message) for f in result.findings] == [
        ("a.py", "module pkg.missing.views does not exist in the project")
    ]


def test_modules_aliased_in_sys_modules_by_name(tmp_path: Path) -> None:
    """A module whose ``sys.modules`` entry is written with its ``__name__`` (directly, with a
    derived key, or through a project helper found by its imports or its own definitions) is
    aliased; a helper given ``__name__`` that leaves ``sys.modules`` alone changes nothing."""
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/_compat.py": (
                "import sys\n\n"
                "def alias(name):\n    if name:\n        sys.modules[name] = object()\n\n"
                "def merge(name):\n    sys.modules.update({name: object()})\n\n"
                "def log(name):\n    return name\n"
            ),
            "pkg/direct.py": "import sys\n\nsys.modules[__name__ + '.sub'] = sys\n",
            "pkg/imported.py": "from pkg._compat import alias\n\nalias(__name__)\n",
            "pkg/dotted.py": "import pkg._compat\n\npkg._compat.merge(__name__)\n",
            "pkg/local.py": (
                "import sys\n\ndef _swap(n):\n    sys.modules[n] = sys\n\n_swap(name=__name__)\n"
            ),
            "pkg/logged.py": "from pkg._compat import log\n\nlogger = log(__name__)\n",
            "pkg/later.py": "from pkg._compat import alias\n\ndef f():\n    alias(__name__)\n",
        },
    )
    index = load_project(tmp_path, [tmp_path], config_for(tmp_path, Overrides())).project.index
    aliased = {name for name, info in index.modules.items() if info.aliased}
    assert aliased == {"pkg.direct", "pkg.imported", "pkg.dotted", "pkg.local"}
    assert all(index.modules[name].dynamic for name in aliased)


def test_root_package_beside_same_named_module_is_not_rewritten(tmp_path: Path) -> None:
    """truss's server template: the project root ``svc/`` is a package holding ``svc.py``, and
    ``main.py`` runs from inside it, where ``from svc import Server`` reads ``svc.py``; the
    rewrite to ``svc.svc`` failed there ('svc' is not a package). Reported, not rewritten."""
    from archfix.engine import RunOptions, run

    root = write_tree(
        tmp_path / "svc",
        {
            "pyproject.toml": "",
            "__init__.py": "",
            "svc.py": "from helpers import make_router\n\nclass Server:\n    pass\n",
            "helpers.py": "def make_router():\n    return None\n",
            "main.py": "from svc import Server\n\nServer()\n",
        },
    )
    config = config_for(root, Overrides(select=("misplaced-import",)))
    result = run(root, [root], config, RunOptions(cache=False))
    assert not result.changes
    assert [(f.path.name, f.line, f.fix) for f in result.findings] == [("main.py", 1, Fix.NONE)]
    assert "svc.py" in result.findings[0].message
