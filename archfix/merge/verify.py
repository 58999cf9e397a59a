"""Prove a merge by importing the apps before and after it, in subprocesses with the target's Python.

The original variants (as they stand after the single-file fixes) are each imported in a process of
their own, in target order, stopping at the first that does not import (that failure is the result);
the merged modules are all imported in one process, which also proves that several entry modules
give each its own app. For every app we dump the route table (path, methods, name, parameters), the
middleware stack (classes and options in registration order) and the constructor's visible settings,
and compare them.

Each import costs a fresh interpreter that loads FastAPI/pydantic/SQLAlchemy again (~0.5 s). Where
``os.fork`` exists, one long-lived server per (interpreter, environment) preloads a fixed allowlist of
frameworks once and forks a child per import that mimics ``python -c DUMP`` (cwd, ``sys.path``,
environment, ``__main__``, exit status, output), so the results are those of the subprocess. A request
is served by a plain subprocess instead when the project (or ``PYTHONPATH``) has a top-level module
named like one the server has loaded, or distribution metadata the preload read (a distribution it
looked up, entry points of a group it scanned: pydantic's plugins), when preloading started threads
or printed warnings, and whenever the server cannot start or dies. The project's own ``.egg-info``
left by ``pip install -e .`` does not count. ``ARCHFIX_VERIFY_FORK=0`` always uses plain subprocesses.
"""

from __future__ import annotations

import atexit
import base64
import io
import json
import multiprocessing.util
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".mypy_cache"}

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

# The fork server ("zygote"): started as `python -c _SERVER *_PRELOAD` in an empty temp dir, with the
# environment a verification subprocess gets minus the project roots on PYTHONPATH. It talks JSON lines
# on private copies of fds 0/1 (fds 0/1 themselves point at /dev/null, so stray prints cannot corrupt
# the protocol). It preloads from the interpreter's own paths only (neither its cwd nor PYTHONPATH), so
# it never runs project code; a request whose cwd, roots or PYTHONPATH provide a top-level name it has
# loaded is refused (the client then runs a plain subprocess). Each request is served by a forked child
# that becomes what `python -c code *specs` with PYTHONPATH=roots:$PYTHONPATH in cwd would be.
_SERVER = r'''
import sys, os

PROTO_IN, PROTO_OUT = os.dup(0), os.dup(1)
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
HOME = os.getcwd()
# As the interpreter's startup left it (C locale coercion may have set LC_CTYPE): the children's
# environments get the same changes the requested environment would get in a fresh interpreter.
STARTUP_ENV = dict(os.environ)
PYTHONPATH = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
SAFE_PATH = bool(getattr(sys.flags, "safe_path", False))
TAIL = [p for p in sys.path if p and os.path.abspath(p) != HOME]
# The server's own imports and the preload see the interpreter's paths only, never the cwd or
# PYTHONPATH (where the project may be): the server never runs project code.
sys.path[:] = [p for p in TAIL if os.path.abspath(p) not in PYTHONPATH]


class Probe:
    """Records every top-level name the server looks up, found or not (optional imports)."""

    names = set()

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        cls.names.add(fullname.partition(".")[0])
        return None


sys.meta_path.insert(0, Probe)

import atexit, base64, builtins, importlib, importlib.machinery, json, re, select, signal, tempfile
import threading, time, types, warnings

PRELOAD = sys.argv[1:]
sys.argv[1:] = []
SUFFIXES = tuple(importlib.machinery.all_suffixes())
# Imported at startup through sys.path when present: a project copy of these changes the interpreter.
STARTUP = {"sitecustomize", "usercustomize"}
_buffer = bytearray()


def send(message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(PROTO_OUT, data):]


def receive():
    while b"\n" not in _buffer:
        chunk = os.read(PROTO_IN, 1 << 16)
        if not chunk:
            return None
        _buffer.extend(chunk)
    end = _buffer.index(b"\n")
    line = bytes(_buffer[:end])
    del _buffer[: end + 1]
    return json.loads(line)


class Lookups:
    """Distribution metadata the preload asked for: distributions by name, entry-point groups
    (pydantic scans its plugin group when its first model is built), or everything.

    A metadata folder on the project's paths changes only the answers to those questions; the
    children ask their own afterwards, on their own path, as a subprocess would."""

    names = set()
    groups = set()
    everything = False
    scanning = 0


def normal_dist(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def record_lookups():
    """Wrap ``entry_points`` and ``Distribution.discover`` (every importlib.metadata query goes
    through it) while preloading; where that cannot be done, any metadata folder counts."""
    try:
        import importlib.metadata as md

        real_discover = md.Distribution.__dict__["discover"]
        real_discover.__func__
        real_entry_points = md.entry_points
    except Exception:
        Lookups.everything = True
        return lambda: None

    def discover(cls, **kwargs):
        context = kwargs.get("context")
        name = kwargs.get("name", getattr(context, "name", None))
        if name:
            Lookups.names.add(normal_dist(name))
        elif not Lookups.scanning:
            Lookups.everything = True
        return real_discover.__func__(cls, **kwargs)

    def entry_points(**params):
        if set(params) == {"group"}:
            Lookups.groups.add(params["group"])
        else:
            Lookups.everything = True
        Lookups.scanning += 1
        try:
            return real_entry_points(**params)
        finally:
            Lookups.scanning -= 1

    md.Distribution.discover = classmethod(discover)
    md.entry_points = entry_points

    def restore():
        md.Distribution.discover = real_discover
        md.entry_points = real_entry_points

    return restore


def declares(folder, groups):
    """Whether a metadata folder declares entry points in one of these groups (True: unreadable)."""
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]") and line[1:-1].strip() in groups:
            return True
    return False


def preload():
    code = (
        "for entry in names:\n"
        "    name, _, below = entry.partition('@<')\n"
        "    if below and sys.version_info[:2] >= tuple(map(int, below.split('.'))):\n"
        "        continue\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except (Exception, SystemExit):\n"
        "        pass\n"
    )
    restore = record_lookups()
    try:
        with warnings.catch_warnings(record=True) as caught:
            exec(
                code,
                {"__name__": "_archfix_preload", "importlib": importlib, "sys": sys, "names": PRELOAD},
            )
    finally:
        sys.meta_path.remove(Probe)
        restore()
    # Metadata read another way than through importlib.metadata: any folder may matter.
    Lookups.everything = Lookups.everything or bool({"importlib_metadata", "pkg_resources"} & set(sys.modules))
    return [str(w.message) for w in caught]


def loaded():
    """Top-level names whose lookup a path entry could change: the modules the server has (but
    built-in and frozen ones) and the names it tried (a module that probes for an optional one
    decided at import time, in the server)."""
    names = STARTUP | Probe.names
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if getattr(spec, "origin", None) not in ("built-in", "frozen") and name != "__main__":
            names.add(name.partition(".")[0])
    return names


def provided(folders):
    """Top-level names importable from these folders (any folder counts); None: cannot tell (a
    zip on the path, or distribution metadata that the preload's importlib.metadata lookups saw)."""
    names = set()
    for folder in folders:
        if os.path.isfile(folder):
            return None
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            if entry.endswith((".dist-info", ".egg-info", ".egg-link")):
                # The project's own ``x.egg-info`` (an editable install) is common and harmless:
                # only metadata the preload looked up could differ from a fresh interpreter.
                if Lookups.everything or entry.endswith(".egg-link"):
                    return None
                if normal_dist(entry.rsplit(".", 1)[0].split("-")[0]) in Lookups.names:
                    return None
                path = os.path.join(folder, entry)
                if os.path.isdir(path) and declares(path, Lookups.groups):
                    return None
                continue
            if entry.endswith(SUFFIXES) or os.path.isdir(os.path.join(folder, entry)):
                names.add(entry.partition(".")[0])
    return names


def wait(pid, timeout):
    """The child's wait status, or None after killing it on timeout."""
    deadline = time.monotonic() + timeout
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pass
    delay = 0.001
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.05)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def exit_code(status):
    if hasattr(os, "waitstatus_to_exitcode"):
        return os.waitstatus_to_exitcode(status)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def system_exit(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def child(request, out, err, status):
    """Become `python -c code *specs` as the plain subprocess would run; never returns."""
    os.close(PROTO_IN)
    os.close(PROTO_OUT)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(out)
    os.close(err)
    os.chdir(request["cwd"])
    env = {}  # the server was started with the request's environment minus the project roots
    for key, value in request["env"].items():
        if key == "PYTHONPATH":
            env[key] = value
        elif key in STARTUP_ENV:
            env[key] = STARTUP_ENV[key]
    for key, value in STARTUP_ENV.items():
        if key not in env and key != "PYTHONPATH":
            env[key] = value
    os.environ.clear()
    os.environ.update(env)
    path, seen = [], set()
    for entry in [os.path.abspath(r) for r in request["roots"]] + TAIL:
        key = os.path.normcase(os.path.abspath(entry))
        if key not in seen:
            seen.add(key)
            path.append(entry)
    sys.path[:] = ([] if SAFE_PATH else [""]) + path
    sys.argv = ["-c"] + list(request["specs"])
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [sys.orig_argv[0], "-c", request["code"]] + list(request["specs"])
    importlib.invalidate_caches()
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __builtins__=builtins, __loader__=importlib.machinery.BuiltinImporter, __annotations__={}
    )
    sys.modules["__main__"] = main
    code = compile(request["code"], "<string>", "exec")
    os.write(status, b"ok")
    os.close(status)
    interrupted = False
    try:
        exec(code, main.__dict__)
        rc = 0
    except SystemExit as exc:
        rc = system_exit(exc.code)
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        try:
            sys.excepthook(type(exc), exc, exc.__traceback__.tb_next)
        except BaseException:
            pass
        rc = 1
    # What Py_FinalizeEx does: join non-daemon threads, run atexit, flush the std streams.
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BaseException:
            if stream is sys.stdout and rc == 0:
                rc = 120
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(rc)


def serve(request):
    names = provided([request["cwd"]] + list(request["roots"]) + PYTHONPATH)
    clash = ["(a file on the path)"] if names is None else sorted(names & loaded())
    if clash:
        return {"fallback": "the project provides " + ", ".join(clash[:5])}
    out = tempfile.TemporaryFile(dir=HOME)
    err = tempfile.TemporaryFile(dir=HOME)
    status_r, status_w = os.pipe()
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        pid = os.fork()
        if pid == 0:
            try:
                os.close(status_r)
                child(request, out.fileno(), err.fileno(), status_w)
            finally:
                os._exit(70)
        os.close(status_w)
        status_w = -1
        status = wait(pid, request["timeout"])
        if os.read(status_r, 2) != b"ok":
            return {"fallback": "the child could not be set up"}
        if status is None:
            return {"timeout": True}
        out.seek(0)
        err.seek(0)
        return {
            "rc": exit_code(status),
            "stdout": base64.b64encode(out.read()).decode(),
            "stderr": base64.b64encode(err.read()).decode(),
        }
    finally:
        out.close()
        err.close()
        os.close(status_r)
        if status_w >= 0:
            os.close(status_w)


def main():
    warned = preload()
    threads = threading.active_count()
    if threads > 1:
        send({"ready": False, "reason": "preloading started %d threads" % (threads - 1)})
        return
    if warned:
        send({"ready": False, "reason": "preloading printed warnings: %s" % warned[0]})
        return
    send({"ready": True, "pid": os.getpid()})
    while True:
        request = receive()
        if request is None or request.get("quit"):
            return
        try:
            answer = serve(request)
        except Exception as exc:
            answer = {"fallback": "server error: %r" % (exc,)}
        send(answer)


try:
    main()
except (KeyboardInterrupt, OSError, ValueError):
    pass
finally:
    try:
        os.chdir("/")
        os.rmdir(HOME)
    except OSError:
        pass
'''

# Imported once by the server, each only if the interpreter has it. The usual frameworks of the apps
# archfix fixes; whatever they import comes along. Safe to import before fork (no threads, no I/O).
_PRELOAD = (
    "typing_extensions",
    "pydantic",
    "pydantic_settings",
    "email_validator",
    "dotenv",
    "anyio",
    "httpx",
    "starlette",
    "starlette.middleware.base",
    "starlette.middleware.cors",
    "starlette.middleware.gzip",
    "starlette.middleware.trustedhost",
    "starlette.requests",
    "starlette.responses",
    "fastapi",
    "fastapi.middleware.cors",
    "fastapi.middleware.gzip",
    "fastapi.responses",
    "fastapi.security",
    "sqlalchemy",
    "sqlalchemy.orm",
    # Imported lazily by create_engine() for the usual URLs and by FastAPI's compatibility layer:
    # every child would pay for them again. ``name@<X.Y``: only on interpreters older than X.Y
    # (pydantic.v1 warns from Python 3.14 on, and a warning while preloading turns the server off).
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "pydantic.v1@<3.14",
)
_FORK_SWITCH = "ARCHFIX_VERIFY_FORK"
_TIMEOUT = 180
_START_TIMEOUT = 120.0
_MAX_SERVERS = 2
_MAX_FAILURES = 3


class _Unavailable(Exception):
    """The fork server cannot serve (did not start, died, answered nonsense): use a subprocess."""


class _Zygote:
    """Client side of one fork server process."""

    def __init__(self, python: str, env: dict[str, str]) -> None:
        self.home = tempfile.mkdtemp(prefix="archfix-zygote-")
        self.buffer = bytearray()
        try:
            self.proc = subprocess.Popen(
                [python, "-c", _SERVER, *_PRELOAD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self.home,
                env=env,
            )
        except OSError as exc:
            shutil.rmtree(self.home, ignore_errors=True)
            raise _Unavailable(str(exc)) from exc
        try:
            hello = self._receive(_START_TIMEOUT)
            if hello.get("ready") is not True:
                raise _Unavailable(str(hello.get("reason")))
        except BaseException:
            self.close()
            raise

    def ask(self, request: dict, timeout: float) -> dict:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        except (OSError, ValueError) as exc:
            raise _Unavailable(str(exc)) from exc
        return self._receive(timeout)

    def _receive(self, timeout: float) -> dict:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise _Unavailable("no answer in time")
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise _Unavailable("the server exited")
                self.buffer += chunk
        end = self.buffer.index(b"\n")
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        try:
            answer = json.loads(line)
        except ValueError as exc:
            raise _Unavailable("unreadable answer") from exc
        if not isinstance(answer, dict):
            raise _Unavailable("unreadable answer")
        return answer

    def close(self) -> None:
        """Ask the server to quit (EOF also does), reap it, remove its directory."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.write(b'{"quit": true}\n')
                self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.home, ignore_errors=True)


@dataclass
class _Servers:
    """This process's fork servers; a forked archfix worker starts its own (never uses its parent's)."""

    pid: int = field(default_factory=os.getpid)
    live: dict[tuple, _Zygote | None] = field(default_factory=dict)
    """None: this key cannot fork (did not start, preloading started threads, died too often)."""
    failures: dict[tuple, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    finalizer: bool = False


_servers = _Servers()


def _state() -> _Servers:
    global _servers
    if _servers.pid != os.getpid():
        _servers = _Servers()
    return _servers


def _server(state: _Servers, key: tuple, python: str, env: dict[str, str]) -> _Zygote | None:
    if key in state.live:
        return state.live[key]
    running = [k for k, z in state.live.items() if z is not None]
    if len(running) >= _MAX_SERVERS:
        zygote = state.live.pop(running[0])
        assert zygote is not None
        zygote.close()
    if not state.finalizer:
        # Process pool workers leave through os._exit, skipping atexit, but run these finalizers.
        multiprocessing.util.Finalize(None, _shutdown, exitpriority=0)
        state.finalizer = True
    try:
        state.live[key] = _Zygote(python, env)
    except _Unavailable:
        state.live[key] = None
    return state.live[key]


@atexit.register
def _shutdown() -> None:
    """Stop this process's servers (a server whose client dies without this exits on EOF)."""
    state = _servers
    if state.pid != os.getpid():
        return
    for key in list(state.live):
        zygote = state.live.pop(key)
        if zygote is not None:
            zygote.close()


def _text(raw: bytes) -> str:
    """Decode as ``subprocess.run(..., text=True)`` does (locale encoding, universal newlines)."""
    encoding = io.TextIOWrapper(io.BytesIO()).encoding
    return raw.decode(encoding, "strict").replace("\r\n", "\n").replace("\r", "\n")


def _forked(
    python: str,
    cwd: Path,
    paths: list[str],
    specs: list[str],
    full_env: dict[str, str],
    pythonpath: str | None,
) -> subprocess.CompletedProcess[str] | None:
    """The plain subprocess's result, from a fork server child; None: run the subprocess instead."""
    if os.environ.get(_FORK_SWITCH) == "0" or not hasattr(os, "fork"):
        return None
    extra = pythonpath.split(os.pathsep) if pythonpath else []
    if not all(os.path.isabs(p) for p in extra):
        return None  # relative entries would resolve against the server's directory
    server_env = {k: v for k, v in full_env.items() if k != "PYTHONPATH"}
    if extra:
        server_env["PYTHONPATH"] = os.pathsep.join(extra)
    key = (python, tuple(sorted(server_env.items())))
    request = {
        "cwd": str(cwd),
        "roots": paths,
        "env": full_env,
        "specs": specs,
        "code": DUMP,
        "timeout": _TIMEOUT,
    }
    state = _state()
    with state.lock:
        zygote = _server(state, key, python, server_env)
        if zygote is None:
            return None
        try:
            answer = zygote.ask(request, _TIMEOUT + 60)
            timed_out = answer.get("timeout") is True
            if not timed_out and "rc" not in answer:
                return None  # refused (the project shadows a preloaded module, ...)
            if not timed_out:
                rc = int(answer["rc"])
                stdout = base64.b64decode(answer["stdout"], validate=True)
                stderr = base64.b64decode(answer["stderr"], validate=True)
        except BaseException as exc:
            # Dead, garbled, or interrupted mid-request (the answer would come later): drop it.
            del state.live[key]
            zygote.close()
            if not isinstance(exc, (_Unavailable, KeyError, TypeError, ValueError)):
                raise
            state.failures[key] = state.failures.get(key, 0) + 1
            if state.failures[key] >= _MAX_FAILURES:
                state.live[key] = None
            return None
    if timed_out:
        expired = subprocess.TimeoutExpired([python, "-c", DUMP, *specs], _TIMEOUT)
        raise VerifyError(f"cannot run {python}: {expired}")
    return subprocess.CompletedProcess(
        [python, "-c", DUMP, *specs], rc, _text(stdout), _text(stderr)
    )


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
        return {n for n in names if n in SKIP_DIRS}

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
    proc = _forked(python, cwd, paths, specs, full_env, env.get("PYTHONPATH"))
    if proc is None:
        try:
            proc = subprocess.run(
                [python, "-c", DUMP, *specs],
                cwd=cwd,
                env=full_env,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
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
    after: Mapping[Path, str | None] | Callable[[], Mapping[Path, str | None]],
    targets: list[Target],
    env: Mapping[str, str],
) -> tuple[dict[str, dict], dict[str, dict]]:
    """(original dumps, merged dumps) keyed by target label.

    ``after`` may be a function: it is called only once every original imported (rendering the
    merged module is not free, and a failing original already decides the result).
    """
    with tempfile.TemporaryDirectory(prefix="archfix-merge-") as tmp:
        copy = Path(tmp) / "project"
        _copy(root, copy, before)
        original: dict[str, dict] = {}
        for t in targets:
            # In order, stopping at the first failure: that is the result, the rest cannot change it.
            spec = f"{t.module}:{t.attr}"
            dump = _run(python, copy, [t.import_root], [spec], env)[spec]
            if "error" in dump:
                raise VerifyError(f"the original {t.label} does not import: {dump['error']}")
            original[t.label] = dump
        _overlay(root, copy, after() if callable(after) else after)
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
