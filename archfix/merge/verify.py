"""Prove a merge by importing the apps before and after it, in subprocesses with the target's Python.

The original variants (as they stand after the single-file fixes) are each imported in a process of
their own; the merged modules are all imported in one process, which also proves that several entry
modules give each its own app. For every app we dump the route table (path, methods, name,
parameters), the middleware stack (classes and options in registration order) and the constructor's
visible settings, and compare them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_SKIP_DIRS = {".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".mypy_cache"}

DUMP = r"""
import importlib, json, sys

def r(value):
    text = repr(value)
    return type(value).__name__ if " at 0x" in text else text

out = {}
for spec in sys.argv[1:]:
    mod, attr = spec.split(":")
    try:
        app = getattr(importlib.import_module(mod), attr)
    except BaseException as exc:
        out[spec] = {"error": f"{type(exc).__name__}: {exc}"}
        continue
    def flat(routes):
        # Newer FastAPI keeps included routers as one lazy entry: expand it to its routes.
        for route in routes:
            candidates = getattr(route, "effective_candidates", None)
            if getattr(route, "path", None) is None and callable(candidates):
                yield from flat(candidates())
            else:
                yield route

    routes = []
    for route in flat(getattr(app, "routes", [])):
        entry = {
            "path": getattr(route, "path", None),
            "methods": sorted(getattr(route, "methods", None) or []),
            "name": getattr(route, "name", None),
            "tags": sorted(map(str, getattr(route, "tags", None) or [])),
        }
        dependant = getattr(route, "dependant", None)
        if dependant is not None:
            entry["params"] = sorted(
                f"{kind}:{p.name}"
                for kind in ("path_params", "query_params", "header_params", "cookie_params", "body_params")
                for p in getattr(dependant, kind, [])
            )
        routes.append(entry)
    middleware = []
    for m in getattr(app, "user_middleware", []):
        cls = getattr(m, "cls", None)
        options = getattr(m, "kwargs", None) or getattr(m, "options", None) or {}
        middleware.append(
            {
                "class": f"{getattr(cls, '__module__', '')}.{getattr(cls, '__qualname__', r(cls))}",
                "options": {k: r(v) for k, v in sorted(options.items())},
            }
        )
    settings = {k: r(getattr(app, k, None)) for k in ("title", "version", "docs_url", "redoc_url", "openapi_url", "debug", "root_path")}
    lifespan = getattr(getattr(app, "router", None), "lifespan_context", None)
    settings["lifespan"] = getattr(lifespan, "__qualname__", type(lifespan).__name__).split(".")[-1]
    settings["exception_handlers"] = sorted(getattr(k, "__name__", r(k)) for k in getattr(app, "exception_handlers", {}))
    out[spec] = {"routes": routes, "middleware": middleware, "settings": settings}
print("\n@@ARCHFIX@@" + json.dumps(out))
"""


@dataclass
class Target:
    """One app to compare: module path, variable, and where the module lives."""

    module: str
    attr: str
    import_root: Path
    """Relative to the project root."""
    label: str


class VerifyError(Exception):
    """Verification could not run (the original apps do not import, the interpreter fails, ...)."""


def _copy(root: Path, dest: Path, texts: Mapping[Path, str | None]) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in _SKIP_DIRS}

    shutil.copytree(root, dest, ignore=ignore, symlinks=True, dirs_exist_ok=True)
    _overlay(root, dest, texts)


def _overlay(root: Path, dest: Path, texts: Mapping[Path, str | None]) -> None:
    for path, text in texts.items():
        target = dest / path.relative_to(root)
        if text is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def _run(
    python: str, cwd: Path, roots: list[Path], specs: list[str], env: Mapping[str, str]
) -> dict[str, dict]:
    full_env = dict(env)
    paths = [str(cwd / r) for r in dict.fromkeys(roots)]
    full_env["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [env.get("PYTHONPATH")])])
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        proc = subprocess.run(
            [python, "-c", DUMP, *specs],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VerifyError(f"cannot run {python}: {exc}") from exc
    marker = proc.stdout.rfind("@@ARCHFIX@@")
    if proc.returncode != 0 or marker < 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise VerifyError(f"the import subprocess failed: {tail[0]}")
    return json.loads(proc.stdout[marker + len("@@ARCHFIX@@") :])


def base_env(flags: list[str], extra: Mapping[str, str]) -> dict[str, str]:
    """The current environment without profile/flag overrides, plus the rule's verify-env."""
    env = {k: v for k, v in os.environ.items() if k != "APP_PROFILE" and k not in flags}
    env.update(extra)
    return env


def dump_before_after(
    python: str,
    root: Path,
    before: Mapping[Path, str | None],
    after: Mapping[Path, str | None],
    targets: list[Target],
    env: Mapping[str, str],
) -> tuple[dict[str, dict], dict[str, dict]]:
    """(original dumps, merged dumps) keyed by target label."""
    with tempfile.TemporaryDirectory(prefix="archfix-merge-") as tmp:
        copy = Path(tmp) / "project"
        _copy(root, copy, before)
        original: dict[str, dict] = {}
        procs = []
        for t in targets:
            spec = f"{t.module}:{t.attr}"
            procs.append((t, _run(python, copy, [t.import_root], [spec], env)[spec]))
        for t, dump in procs:
            if "error" in dump:
                raise VerifyError(f"the original {t.label} does not import: {dump['error']}")
            original[t.label] = dump
        _overlay(root, copy, after)
        specs = [f"{t.module}:{t.attr}" for t in targets]
        merged_raw = _run(python, copy, [t.import_root for t in targets], specs, env)
        merged = {t.label: merged_raw[f"{t.module}:{t.attr}"] for t in targets}
    return original, merged


def _route(r: dict) -> str:
    methods = ",".join(r.get("methods") or []) or "-"
    params = " ".join(r.get("params", []))
    return f"{methods} {r.get('path')} (name={r.get('name')}{', ' + params if params else ''})"


def differences(original: dict, merged: dict) -> list[str]:
    """Human-readable differences between two dumps of the same entry point (empty: equal)."""
    if "error" in merged:
        return [f"the merged module does not import: {merged['error']}"]
    out: list[str] = []
    a = [_route(r) for r in original["routes"]]
    b = [_route(r) for r in merged["routes"]]
    if a != b:
        lost = [r for r in a if r not in b]
        gained = [r for r in b if r not in a]
        if lost:
            out.append("routes lost: " + "; ".join(lost))
        if gained:
            out.append("routes gained: " + "; ".join(gained))
        if not lost and not gained:
            out.append("route order differs")
    ma = [f"{m['class']}{m['options'] or ''}" for m in original["middleware"]]
    mb = [f"{m['class']}{m['options'] or ''}" for m in merged["middleware"]]
    if ma != mb:
        out.append(f"middleware was [{', '.join(ma)}], merged [{', '.join(mb)}]")
    for key, value in original["settings"].items():
        if merged["settings"].get(key) != value:
            out.append(f"app.{key} was {value}, merged {merged['settings'].get(key)}")
    return out
