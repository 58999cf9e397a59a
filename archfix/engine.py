"""The pipeline: discover -> read -> index -> prefilter -> run rules -> verify -> Result.

The engine knows nothing about individual rules. It gives every selected file rule one shared libcst
parse of each file (in (priority, id) order, repeated until nothing changes, bounded), then runs the
project rules on the result, verifies every new text (``compile()``; see ``verify_source``), and returns
the changes as data. It never writes: see :mod:`archfix.writer`.
"""

from __future__ import annotations

import ast
import atexit
import difflib
import functools
import gc
import hashlib
import os
import pickle
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper

from archfix import diskprobe
from archfix.cache import ProjectCache, outside_fingerprint, tool_versions, tree_parts
from archfix.codemods import RuleClass, _walk, all_rules
from archfix.codemods.base import (
    FileCodemod,
    FileContext,
    FixPolicy,
    ProjectCodemod,
    ProjectContext,
    Reporter,
    SourceText,
    file_suppresses,
)
from archfix.config import Config
from archfix.discovery import Discovery, discover
from archfix.linemap import LineMap
from archfix.models import ErrorKind, FileChange, FileError, Finding, Result, SourceMeta
from archfix.positions import code_of_module, positions_of
from archfix.project import ModuleIndex, ModuleInfo, Project, module_name_for
from archfix.sourcefile import SourceError, read_source
from archfix.trees import remember

_In = TypeVar("_In")
_Out = TypeVar("_Out")

MAX_PASSES = 8
"""Fix passes per file before the engine gives up on convergence (ruff uses a similar bound)."""
MAX_ROUNDS = 3
"""Rounds of (file rules, project rules) when project rules edit files that file rules then fix."""
NO_CACHE_ENV = "ARCHFIX_NO_CACHE"
"""Set (to anything) to disable the cache for every run of the process and its children."""
PARALLEL_THRESHOLD = 16
"""Below this many candidate files shipping work to the (shared) pool costs more than it saves."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: which fixes are allowed, parallelism, and progress reporting."""

    policy: FixPolicy = field(default_factory=FixPolicy)
    jobs: int = 1
    progress: Callable[[int, int], None] | None = None
    """Called with (done, total) as candidate files are processed."""
    python: str | None = None
    """Interpreter for rules that verify by importing the target (merge-entrypoints)."""
    verify: bool = True
    cache: bool = True
    """Reuse results and index entries of earlier runs over unchanged files (see archfix.cache)."""
    cache_dir: Path | None = None
    """Where the cache lives; None means $ARCHFIX_CACHE_DIR or the user cache dir."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def verify_source(text: str, path: Path, must_compile: bool) -> str | None:
    """Why ``text`` is not acceptable Python for ``path``, or None when it is.

    When the text must compile and does, that is the whole check: compile() is CPython's own
    parser (and more), and a libcst parse on top costs as much as the rule's work again. A text
    that does not compile, or need not (its original did not either), gets the libcst parse
    first, so the message says what is wrong the same way in every case.
    """
    if must_compile and _compiles(text, path):
        return None
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return f"the result does not parse: {_one_line(exc.message)} (line {exc.raw_line})"
    except RecursionError:
        return "the result is too deeply nested for libcst"
    if must_compile:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(text, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            msg = getattr(exc, "msg", str(exc))
            return f"the result does not compile: {msg} (line {getattr(exc, 'lineno', '?')})"
    return None


def _compiles(text: str, path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def rebase_edit(original: str, roundtrip: str, fixed: str) -> str | None:
    """Apply the edit ``roundtrip -> fixed`` to ``original``, or None if they overlap.

    libcst does not reproduce every file byte for byte (``except (A, B) :`` loses its space). The
    rules' edit is the difference between libcst's rendering and the fixed rendering; replaying only
    that difference on the original keeps every unrelated byte, and refuses when the edit touches a
    line libcst rendered differently.
    """
    o_lines = original.splitlines(keepends=True)
    r_lines = roundtrip.splitlines(keepends=True)
    f_lines = fixed.splitlines(keepends=True)
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in difflib.SequenceMatcher(
        None, r_lines, o_lines, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k] = j1 + k
    mapping[len(r_lines)] = len(o_lines)
    out = list(o_lines)
    ops = difflib.SequenceMatcher(None, r_lines, f_lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        if any(k not in mapping for k in range(i1, i2 + 1)):
            return None
        start, end = mapping[i1], mapping[i2]
        if end - start != i2 - i1:
            return None
        out[start:end] = f_lines[j1:j2]
    return "".join(out)


@dataclass
class FileOutcome:
    """What the file rules did to one file."""

    path: Path
    text: str
    """The final text (equal to the input when nothing changed)."""
    rules: list[str] = field(default_factory=list)
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    parsed: bool = False
    probed: set[str] = field(default_factory=set)
    """Folders the rules looked into on disk (:mod:`archfix.diskprobe`)."""


def _unapplied(findings: Iterable[Finding]) -> list[Finding]:
    return [replace(f, applied=False) if f.applied else f for f in findings]


@functools.cache
def _has_tree_prefilter(rule_cls: type[FileCodemod]) -> bool:
    """Whether the rule defines ``wants_tree`` (the default answers True without a tree)."""
    return rule_cls.wants_tree.__func__ is not FileCodemod.wants_tree.__func__  # type: ignore[attr-defined]


def _tree_wants(
    rule_cls: type[FileCodemod],
    source: SourceText | None,
    module_name: str | None,
    project: Project,
) -> bool:
    """``rule_cls.wants_tree`` on the source's ``ast`` tree; True whenever the tree cannot be
    trusted to name things as the text does (no tree, or identifiers that NFKC would change)."""
    if source is None or not _walk.ENABLED or not _has_tree_prefilter(rule_cls):
        return True
    if not source.identifiers_stable():
        return True
    try:
        tree = source.tree()
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return rule_cls.wants_tree(tree, module_name, project)


def _positions_of(wrapper: MetadataWrapper) -> Callable[[], Mapping[cst.CSTNode, CodeRange]]:
    """Positions of ``wrapper``'s tree, computed on first use.

    ``positions_of`` gives libcst's ``PositionProvider`` positions several times cheaper
    (positions are recomputed after every rule that changes the tree), and calling it directly
    skips the whole-tree walk ``wrapper.resolve`` does before any provider runs.
    """
    return lambda: positions_of(wrapper.module)


def process_file(
    path: Path,
    text: str,
    rules: Sequence[type[FileCodemod]],
    project: Project,
    policy: FixPolicy,
) -> FileOutcome:
    """Run every given file rule over one parse of ``text``, to a fixed point."""
    outcome = FileOutcome(path, text)
    module_name = project.module_name(path)
    first = SourceText(text)
    rules = [r for r in rules if _tree_wants(r, first, module_name, project)]
    if not rules:
        return outcome  # no rule can act on this text: no libcst parse
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        outcome.errors.append(
            FileError(
                path,
                ErrorKind.PARSE,
                f"libcst cannot parse: {_one_line(exc.message)} (line {exc.raw_line})",
            )
        )
        return outcome
    except RecursionError:
        outcome.errors.append(
            FileError(path, ErrorKind.PARSE, "too deeply nested for libcst; skipped")
        )
        return outcome
    outcome.parsed = True
    try:
        roundtrip: str | None = code_of_module(module)
    except RecursionError:
        roundtrip = None
    current = roundtrip if roundtrip is not None else text
    start = current
    current_compiles: bool | None = None
    """Whether ``current`` compiles, once known (a verified step's result does by construction)."""
    unchanged: dict[str, tuple[str, list[Finding]]] = {}
    """Per rule: the text it last ran on without changing it, and its findings there. Rules are
    deterministic in the text (path, project and options are fixed), so meeting the same text
    again in a later pass gives the same findings without another traversal."""
    disabled: set[str] = set()
    applied: list[Finding] = []
    remaining: list[Finding] = []

    maps: dict[str, LineMap] = {}

    def on_disk(findings: list[Finding], base: str) -> list[Finding]:
        """Findings a rule reported on ``base``, placed in the file as read (``text``): an
        earlier rule's fix may have moved the lines the rule saw. One diff per text, however
        many rules report on it."""
        if base == text or not findings:
            return findings
        if base not in maps:
            maps[base] = LineMap(base, text)
        return maps[base].place(findings)

    for pass_no in range(MAX_PASSES):
        pass_findings: list[Finding] = []
        changed = False
        wrapper: MetadataWrapper | None = None
        lines = current.splitlines()
        if roundtrip is None:
            source = None
        elif current == text:
            source = first  # its ast tree, parsed for the prefilter, serves the rules too
        else:
            source = SourceText(current)
        for rule_cls in rules:
            if rule_cls.id in disabled:
                continue
            if pass_no and not (
                rule_cls.wants(path, current, project)
                and _tree_wants(rule_cls, source, module_name, project)
            ):
                continue
            memo = unchanged.get(rule_cls.id)
            if memo is not None and memo[0] == current:
                pass_findings.extend(on_disk(memo[1], current))
                continue
            base = current
            if wrapper is None:
                wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
            reporter = Reporter(rule_cls.id, policy)
            ctx = FileContext(
                path,
                module_name,
                project,
                project.config.options_for(rule_cls.id),
                lines,
                reporter,
                positions=_positions_of(wrapper),
                source=source,
            )
            try:
                new_module = wrapper.visit(rule_cls(ctx))
                new_code = code_of_module(new_module) if reporter.fixes_made else current
            except RecursionError:
                outcome.errors.append(
                    FileError(
                        path,
                        ErrorKind.RULE,
                        "too deeply nested for libcst; rule skipped",
                        rule_cls.id,
                    )
                )
                disabled.add(rule_cls.id)
                continue
            except Exception as exc:  # a rule bug must not stop the batch
                outcome.errors.append(
                    FileError(
                        path,
                        ErrorKind.RULE,
                        f"rule crashed: {type(exc).__name__}: {_one_line(str(exc))}",
                        rule_cls.id,
                    )
                )
                disabled.add(rule_cls.id)
                continue
            findings = reporter.findings
            if reporter.fixes_made and new_code != current:
                if current_compiles is None:
                    current_compiles = _compiles(current, path)
                problem = verify_source(new_code, path, current_compiles)
                if problem is None:
                    module, current, wrapper, changed = new_module, new_code, None, True
                    current_compiles = True if current_compiles else None
                    lines = current.splitlines()
                    source = SourceText(current)
                    if rule_cls.id not in outcome.rules:
                        outcome.rules.append(rule_cls.id)
                else:
                    outcome.errors.append(
                        FileError(path, ErrorKind.VERIFY, f"fix dropped: {problem}", rule_cls.id)
                    )
                    disabled.add(rule_cls.id)
                    findings = _unapplied(findings)
            else:  # the text is as the rule found it
                if reporter.fixes_made:
                    findings = _unapplied(findings)
                unchanged[rule_cls.id] = (current, findings)
            pass_findings.extend(on_disk(findings, base))
        if not policy.apply or not changed:
            remaining = _unapplied(pass_findings)
            break
        applied.extend(f for f in pass_findings if f.applied)
    else:
        outcome.errors.append(
            FileError(
                path,
                ErrorKind.CONVERGE,
                f"fixes did not converge after {MAX_PASSES} passes (rules: {', '.join(outcome.rules)}); file left unchanged",
            )
        )
        return replace(outcome, text=text, rules=[], applied=[], remaining=[])
    outcome.applied, outcome.remaining = applied, remaining
    if current == start:
        if current == text and roundtrip is not None:
            remember(text, module)  # project rules reading this text reuse the tree
        return outcome
    if roundtrip is None:
        final = None
    elif roundtrip == text:
        final = current
    else:
        final = rebase_edit(text, roundtrip, current)
        if final is not None and verify_source(final, path, _compiles(text, path)) is not None:
            final = None
    if final is None:
        outcome.errors.append(
            FileError(
                path,
                ErrorKind.ROUNDTRIP,
                "libcst does not reproduce this file exactly where the fix applies; fix skipped to avoid unrelated edits",
                ",".join(outcome.rules),
            )
        )
        outcome.remaining = _unapplied([*applied, *remaining])
        outcome.applied, outcome.rules = [], []
        return outcome
    outcome.text = final
    if final == current:
        remember(final, module)
    return outcome


# --- worker-process plumbing -------------------------------------------------------------------

_WORKER: dict[str, object] = {}


GC_THRESHOLD = (50_000, 20, 20)
"""Cyclic-GC thresholds while archfix runs. ``ast`` and libcst allocate millions of short-lived,
acyclic nodes; with the default (700, 10, 10) the collector runs every 700 allocations and its full
collections walk every tree still alive. These thresholds took 6-10% off the CPU time of a cold run
over the 40-service benchmark, with the same peak memory (garbage cycles are still collected)."""


def _tune_gc() -> None:
    """Pool initializer: workers run archfix only, so they keep the tuned thresholds."""
    gc.set_threshold(*GC_THRESHOLD)


@dataclass
class _GcRuns:
    """Runs inside :func:`tuned_gc`, and the thresholds to restore when the last one ends."""

    active: int = 0
    saved: tuple[int, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


_gc_runs = _GcRuns()


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Run with :data:`GC_THRESHOLD` (never lowering a threshold set higher), then restore.

    Runs may overlap (threads of a library caller): the first to start saves the thresholds and
    the last to end restores them.
    """
    runs = _gc_runs
    with runs.lock:
        if runs.active == 0:
            runs.saved = gc.get_threshold()
            gc.set_threshold(*(max(a, b) for a, b in zip(runs.saved, GC_THRESHOLD, strict=True)))
        runs.active += 1
    try:
        yield
    finally:
        with runs.lock:
            runs.active -= 1
            if runs.active == 0:
                gc.set_threshold(*runs.saved)


_POOL: tuple[int, ProcessPoolExecutor] | None = None
_PROJECT_SERIAL = 0
CHUNKS_PER_WORKER = 4
"""Chunks per worker for one project: fewer means less IPC, more means better balance."""


def _shared_pool(jobs: int) -> ProcessPoolExecutor:
    """One process pool per process and job count, started on first use."""
    global _POOL
    if _POOL is not None and _POOL[0] != jobs:
        _shutdown_pool()
    if _POOL is None:
        _POOL = (jobs, ProcessPoolExecutor(max_workers=jobs, initializer=_tune_gc))
        atexit.register(_shutdown_pool)
    return _POOL[1]


def _shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=True, cancel_futures=True)
        _POOL = None


def _worker_chunk(
    token: tuple[int, int], blob: bytes, tasks: Sequence[tuple[Path, str, tuple[str, ...]]]
) -> list[FileOutcome]:
    """Process one chunk of files in a worker (unpickling the project once per project)."""
    if _WORKER.get("token") != token:
        project, policy = pickle.loads(blob)
        _WORKER.update(token=token, project=project, policy=policy)
        _WORKER.setdefault("rules", {r.id: r for r in all_rules()})
    return [_worker_task(task) for task in tasks]


def _worker_task(task: tuple[Path, str, tuple[str, ...]]) -> FileOutcome:
    path, text, rule_ids = task
    rules_by_id = _WORKER["rules"]
    assert isinstance(rules_by_id, dict)
    project = _WORKER["project"]
    policy = _WORKER["policy"]
    assert isinstance(project, Project) and isinstance(policy, FixPolicy)
    outcome = process_file(path, text, [rules_by_id[r] for r in rule_ids], project, policy)
    outcome.probed = diskprobe.take()
    return outcome


# --- the run -----------------------------------------------------------------------------------


@dataclass
class LoadedProject:
    """A project read from disk: the read-only view for rules plus what the writer needs."""

    project: Project
    originals: dict[Path, str]
    meta: dict[Path, SourceMeta]
    errors: list[FileError]


def _parse_errors(path: Path, exc: BaseException, text: str | None = None) -> FileError:
    if isinstance(exc, SyntaxError):
        if text is not None and _newer_syntax(text):
            return FileError(
                path,
                ErrorKind.PARSE,
                f"syntax error: {exc.msg} (line {exc.lineno}) for Python "
                f"{sys.version_info.major}.{sys.version_info.minor}, which runs archfix; the file "
                "uses newer syntax: run archfix with the project's Python",
            )
        return FileError(path, ErrorKind.PARSE, f"syntax error: {exc.msg} (line {exc.lineno})")
    if isinstance(exc, RecursionError):
        return FileError(path, ErrorKind.PARSE, "too deeply nested to parse; skipped")
    return FileError(path, ErrorKind.PARSE, f"cannot parse: {_one_line(str(exc))}")


@dataclass
class _Sources:
    """The files read from disk, before indexing."""

    texts: dict[Path, str]
    meta: dict[Path, SourceMeta]
    errors: list[FileError]
    """Discovery errors, then per-file read errors in discovery order."""
    order: list[Path]
    layout: list[str] = field(default_factory=list)
    """The walked folders' listings (:attr:`Discovery.layout`)."""


def _read_sources(
    root: Path, paths: Sequence[Path], config: Config, found: Discovery | None = None
) -> _Sources:
    """Discover (unless ``found`` already did) and read the files under ``paths`` (texts, how
    they are stored, what failed)."""
    if found is None:
        found = discover(root, paths, config.exclude, config.respect_gitignore)
    errors = list(found.errors)
    texts: dict[Path, str] = {}
    meta: dict[Path, SourceMeta] = {}
    for path in found.files:
        try:
            source = read_source(path, config.max_file_size)
        except SourceError as exc:
            errors.append(FileError(path, exc.kind, exc.message))
            continue
        texts[path] = source.text
        meta[path] = source.meta
    return _Sources(texts, meta, errors, list(found.files), list(found.layout))


def _index_key(root: Path, path: Path, digest: str, name: str, is_package: bool) -> str:
    """A file's index entry depends on its bytes, where it is, and the module name it gets."""
    where = path.relative_to(root).as_posix() if _inside(path, root) else str(path)
    return f"{where}|{digest}|{name}|{int(is_package)}"


def _scan_module(path: Path, text: str, name: tuple[str, bool]) -> ModuleInfo | FileError:
    """Parse one file with ``ast`` and scan it into its index entry (or its parse error)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _parse_errors(path, exc, text)
    return ModuleIndex.scan(path, tree, text, name)


def _newer_syntax(text: str) -> bool:
    """Whether a text this interpreter cannot compile is valid in a newer Python (libcst's
    parser knows later grammars: ``class Page[T: Model]``, ``type X = ...`` on Python 3.11)."""
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True


def _scan_chunk(
    items: Sequence[tuple[Path, str, tuple[str, bool]]],
) -> list[ModuleInfo | FileError]:
    """Pool task: index entries of a chunk of one project's files."""
    return [_scan_module(path, text, name) for path, text, name in items]


INDEX_PARALLEL_CHARS = 4_000_000
"""A project with more source than this to index spreads the ``ast`` scan over the workers (about
0.5 s of parsing); below it, shipping the texts costs more than it saves."""


def _scan_all(
    todo: Sequence[tuple[Path, str, tuple[str, bool]]], jobs: int
) -> list[ModuleInfo | FileError]:
    """Index entries of ``todo``, in its order: in the pool when the project is large."""
    if jobs > 1 and sum(len(text) for _, text, _ in todo) >= INDEX_PARALLEL_CHARS:
        try:
            return _pool_map(_scan_chunk, todo, jobs)
        except BrokenProcessPool:  # a worker died: scan in-process
            _shutdown_pool()
    return [_scan_module(path, text, name) for path, text, name in todo]


def _index_sources(
    root: Path,
    config: Config,
    sources: _Sources,
    cache: ProjectCache | None = None,
    jobs: int = 1,
) -> LoadedProject:
    """Build the ``ast`` index (from the cache where a file is unchanged); drop unparsable files.

    Module names are decided in file order (they share a memo of package folders), the files the
    cache does not know are parsed and scanned (in the pool for a large project), and the entries
    are added in file order again, so the index is the same however it was computed.
    """
    texts, meta = sources.texts, sources.meta
    index = ModuleIndex()
    planned: list[tuple[Path, str, str | None, ModuleInfo | FileError | None]] = []
    todo: list[tuple[Path, str, tuple[str, bool]]] = []
    for path, text in texts.items():
        key = None
        name = module_name_for(path, root, index.packages)
        if cache is not None and meta[path].digest:
            key = _index_key(root, path, meta[path].digest, *name)
            entry = cache.module(key)
            if isinstance(entry, ModuleInfo):
                planned.append((path, text, key, entry))
                continue
            if isinstance(entry, str):
                planned.append((path, text, key, FileError(path, ErrorKind.PARSE, entry)))
                continue
        planned.append((path, text, key, None))
        todo.append((path, text, name))
    scanned = iter(_scan_all(todo, jobs))
    errors: list[FileError] = []
    kept: dict[Path, str] = {}
    for path, text, key, known in planned:
        entry = known if known is not None else next(scanned)
        if isinstance(entry, FileError):
            errors.append(entry)
            if cache is not None and key is not None and known is None:
                cache.put_module(key, entry.message)
            continue
        index.add_info(root, entry)
        kept[path] = text
        if cache is not None and key is not None and known is None:
            cache.put_module(key, entry)
    if cache is not None:
        cache.save_modules()
    index.settle_names()
    kept_meta = {p: meta[p] for p in kept}
    project = Project(root=root, config=config, files=list(kept), index=index, texts=kept)
    if errors:  # parse errors go where the file was found, as one read loop would report them
        rank = {path: i for i, path in enumerate(sources.order)}
        errors = sorted([*sources.errors, *errors], key=lambda e: rank.get(e.path, -1))
    else:
        errors = list(sources.errors)
    return LoadedProject(project, dict(kept), kept_meta, errors)


def load_project(
    root: Path, paths: Sequence[Path], config: Config, cache: ProjectCache | None = None
) -> LoadedProject:
    """Discover, read and index the project's files (the part every rule shares)."""
    return _index_sources(root, config, _read_sources(root, paths, config), cache)


def select_rules(config: Config) -> list[RuleClass]:
    """The rule classes to run for ``config``, in engine order."""
    registry = all_rules()
    chosen = set(config.selected(r.id for r in registry))
    return [r for r in registry if r.id in chosen]


def _file_rules_for(
    path: Path,
    text: str,
    rules: Sequence[type[FileCodemod]],
    project: Project,
    ignored: Callable[[Path, str], bool],
) -> tuple[str, ...]:
    return tuple(
        r.id
        for r in rules
        if not ignored(path, r.id)
        and not file_suppresses(text, r.id)
        and r.wants(path, text, project)
    )


def _run_file_phase(
    files: Sequence[Path],
    project: Project,
    rules: Sequence[type[FileCodemod]],
    options: RunOptions,
) -> list[FileOutcome]:
    ignored = project.rule_ignored  # per-file-ignores, the same test project rules use
    by_id = {r.id: r for r in rules}
    tasks = []
    for path in files:
        text = project.texts[path]
        ids = _file_rules_for(path, text, rules, project, ignored)
        if ids:
            tasks.append((path, text, ids))
    total = len(tasks)
    jobs = max(1, options.jobs)
    if jobs > 1 and total >= PARALLEL_THRESHOLD:
        try:
            return _run_in_pool(tasks, project, options, jobs)
        except BrokenProcessPool:  # a worker died (killed, out of memory): finish in-process
            _shutdown_pool()
    outcomes: list[FileOutcome] = []
    for done, (path, text, ids) in enumerate(tasks, 1):
        outcome = process_file(path, text, [by_id[i] for i in ids], project, options.policy)
        outcome.probed = diskprobe.take()
        outcomes.append(outcome)
        if options.progress:
            options.progress(done, total)
    return outcomes


def _run_in_pool(
    tasks: Sequence[tuple[Path, str, tuple[str, ...]]],
    project: Project,
    options: RunOptions,
    jobs: int,
) -> list[FileOutcome]:
    """Run the file tasks on the shared pool, in interleaved chunks, keeping the input order.

    The pool lives for the whole process, so a batch of many small projects pays for starting
    workers once; each chunk carries the pickled project (index and config, no texts), which a
    worker unpickles only when it has not seen that project yet.
    """
    global _PROJECT_SERIAL
    _PROJECT_SERIAL += 1
    token = (os.getpid(), _PROJECT_SERIAL)
    blob = pickle.dumps((project.without_texts(), options.policy), pickle.HIGHEST_PROTOCOL)
    return _pool_map(_worker_chunk, tasks, jobs, (token, blob), options.progress)


def _pool_map(
    task: Callable[..., list[_Out]],
    items: Sequence[_In],
    jobs: int,
    lead: tuple[object, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> list[_Out]:
    """``task(*lead, chunk)`` over interleaved chunks of ``items`` on the shared pool; the
    results in the items' order. Interleaving spreads the expensive items (entry points, large
    modules) over the workers."""
    n_chunks = min(len(items), jobs * CHUNKS_PER_WORKER)
    chunks = [list(range(i, len(items), n_chunks)) for i in range(n_chunks)]
    pool = _shared_pool(jobs)
    futures = [pool.submit(task, *lead, [items[i] for i in chunk]) for chunk in chunks]
    slots: dict[int, _Out] = {}
    for chunk, future in zip(chunks, futures, strict=True):
        slots.update(zip(chunk, future.result(), strict=True))
        if progress:
            progress(len(slots), len(items))
    return [slots[i] for i in range(len(items))]


def _reindexed(project: Project, changed: Iterable[Path]) -> Project:
    """The project with current texts and the index refreshed for the changed files."""
    index = ModuleIndex(dict(project.index.modules), dict(project.index.by_path))
    for path in changed:
        text = project.texts.get(path)
        if text is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        index.add(project.root, path, tree, text)
    index.settle_names()
    files = [p for p in project.texts]
    return Project(project.root, project.config, files, index, project.texts)


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(root)
    except ValueError:
        return False
    return True


def _run_project_phase(
    project: Project,
    rules: Sequence[type[ProjectCodemod]],
    options: RunOptions,
    originals: dict[Path, str],
    outside: set[str],
) -> tuple[
    dict[Path, str | None], set[Path], dict[Path, list[str]], list[Finding], list[FileError]
]:
    """Run project rules in order; each sees the edits of the ones before it. ``outside``
    collects what they read besides the project's Python files."""
    edits: dict[Path, str | None] = {}
    created: set[Path] = set()
    by_rule: dict[Path, list[str]] = {}
    findings: list[Finding] = []
    errors: list[FileError] = []
    for rule_cls in rules:
        reporter = Reporter(rule_cls.id, options.policy)
        ctx = ProjectContext(
            project,
            project.config.options_for(rule_cls.id),
            reporter,
            python=options.python or ProjectContext.python,
            verify=options.verify,
            outside=outside,
        )
        try:
            rule_cls(ctx).run()
        except Exception as exc:  # a rule bug must not stop the run
            errors.append(
                FileError(
                    project.root,
                    ErrorKind.RULE,
                    f"rule crashed: {type(exc).__name__}: {_one_line(str(exc))}",
                    rule_cls.id,
                )
            )
            continue
        rule_findings = reporter.findings
        accepted: dict[Path, str | None] = {}
        rejected = False
        for path, text in ctx.edits.texts.items():
            path = Path(os.path.abspath(path))
            if not _inside(path, project.root):
                errors.append(
                    FileError(
                        path, ErrorKind.WRITE, "edit outside the project root refused", rule_cls.id
                    )
                )
                rejected = True
                continue
            if text is not None:
                base = project.texts.get(path)
                must_compile = True if base is None else _compiles(base, path)
                problem = verify_source(text, path, must_compile)
                if problem:
                    errors.append(
                        FileError(path, ErrorKind.VERIFY, f"change dropped: {problem}", rule_cls.id)
                    )
                    rejected = True
                    continue
            accepted[path] = text
        if rejected:
            # A multi-file change is all or nothing: half a merge is worse than none.
            rule_findings = _unapplied(rule_findings)
            accepted = {}
        findings.extend(rule_findings)
        if not accepted:
            continue
        for path, text in accepted.items():
            edits[path] = text
            if path in ctx.edits.created and path not in originals:
                created.add(path)
            by_rule.setdefault(path, []).append(rule_cls.id)
            if text is None:
                project.texts.pop(path, None)
            else:
                project.texts[path] = text
        project = _reindexed(project, accepted)
    return edits, created, by_rule, findings, errors


def run_project(loaded: LoadedProject, options: RunOptions) -> Result:
    """Run the selected rules over a loaded project and return the result (nothing is written)."""
    project = loaded.project
    rules = select_rules(project.config)
    file_rules = [r for r in rules if issubclass(r, FileCodemod)]
    project_rules = [r for r in rules if issubclass(r, ProjectCodemod)]
    result = Result(root=project.root, errors=list(loaded.errors), rules=[r.id for r in rules])
    result.files_scanned = len(project.files) + len(loaded.errors)
    rules_for: dict[Path, list[str]] = {}
    applied: list[Finding] = []
    remaining: dict[Path, list[Finding]] = {}
    project_findings: list[Finding] = []
    deleted: set[Path] = set()
    created: set[Path] = set()
    outside: set[str] = set()
    project_applied: list[Finding] = []
    probed: set[str] = set()
    dirty: list[Path] = list(project.files)
    for _round in range(MAX_ROUNDS):
        for path in dirty:
            # A file a project rule rewrote is judged afresh: findings on its old text are stale.
            remaining.pop(path, None)
        outcomes = _run_file_phase(dirty, project, file_rules, options)
        changed: list[Path] = []
        for outcome in outcomes:
            probed |= outcome.probed
            result.files_parsed += int(outcome.parsed)
            result.errors.extend(outcome.errors)
            applied.extend(outcome.applied)
            remaining[outcome.path] = outcome.remaining
            if outcome.text != project.texts[outcome.path]:
                project.texts[outcome.path] = outcome.text
                changed.append(outcome.path)
                for rid in outcome.rules:
                    rules_for.setdefault(outcome.path, [])
                    if rid not in rules_for[outcome.path]:
                        rules_for[outcome.path].append(rid)
        if not project_rules:
            break
        project = _reindexed(project, changed)
        edits, new_files, by_rule, project_findings, errors = _run_project_phase(
            project, project_rules, options, loaded.originals, outside
        )
        result.errors.extend(errors)
        # An applied project fix is not found again in the next round (the merge is done):
        # keep its finding; the last round's other findings are what remains.
        project_applied.extend(f for f in project_findings if f.applied)
        created |= new_files
        dirty = []
        for path, text in edits.items():
            for rid in by_rule.get(path, []):
                rules_for.setdefault(path, [])
                if rid not in rules_for[path]:
                    rules_for[path].append(rid)
            if text is None:
                deleted.add(path)
                project.texts.pop(path, None)
            else:
                deleted.discard(path)
                project.texts[path] = text
                dirty.append(path)
        project = _reindexed(project, dirty)
        if not options.policy.apply or not dirty:
            break
    result.environment_dependent = bool(outside)
    result.disk = diskprobe.listings(probed | diskprobe.take())
    stale = deleted  # findings in files a project rule deleted no longer point anywhere
    result.findings = [
        *applied,
        *(f for path, fs in remaining.items() if path not in stale for f in fs),
        *project_applied,
        *(f for f in project_findings if not f.applied),
    ]
    result.findings.sort(key=lambda f: (str(f.path), f.line, f.col, f.rule_id))
    for path in sorted(set(loaded.originals) | set(project.texts) | deleted):
        old = loaded.originals.get(path)
        new = None if path in deleted else project.texts.get(path)
        if old == new:
            continue
        meta = loaded.meta.get(path, SourceMeta())
        result.changes.append(FileChange(path, old, new, rules_for.get(path, []), meta))
    return result


def _options_key(root: Path, paths: Sequence[Path], config: Config, options: RunOptions) -> str:
    """Everything besides the files' content that decides a run's result."""
    rel = sorted(os.path.relpath(os.path.abspath(p), root) for p in paths)
    try:  # [tool.black] / [tool.ruff] line lengths shape the code archfix generates
        pyproject = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()
    except OSError:
        pyproject = "-"
    return ProjectCache.run_key(
        [
            str(root),
            repr(rel),
            repr(config),
            repr([r.id for r in select_rules(config)]),
            repr(options.policy),
            repr((options.python, options.verify)),
            pyproject,
            tool_versions(),
        ]
    )


def _tree_key(root: Path, sources: _Sources) -> str:
    digests = {p: sources.meta[p].digest for p in sources.texts}
    packages: dict[Path, bool] = {}
    names = {p: module_name_for(p, root, packages) for p in sources.texts}
    errors = [(str(e.path), e.kind.value, e.message) for e in sources.errors]
    return ProjectCache.run_key(tree_parts(root, digests, names, errors, sources.layout))


def _from_cache(result: Result, sources: _Sources) -> Result:
    """A stored result, with nothing parsed and the files' current on-disk metadata (mode)."""
    changes = [
        replace(c, meta=sources.meta.get(c.path, c.meta), rules=list(c.rules))
        for c in result.changes
    ]
    return replace(result, changes=changes, files_parsed=0)


@tuned_gc()
def run(
    root: Path,
    paths: Sequence[Path],
    config: Config,
    options: RunOptions,
    found: Discovery | None = None,
) -> Result:
    """Load the project under ``root`` restricted to ``paths`` and run the selected rules.

    With ``options.cache`` an unchanged tree is answered from the cache without parsing anything,
    and a changed one re-parses (with ``ast``) only the files that changed. ``found``: the
    discovery of ``paths`` when the caller already made it.
    """
    sources = _read_sources(root, paths, config, found)
    if not options.cache or os.environ.get(NO_CACHE_ENV):
        return run_project(_index_sources(root, config, sources, jobs=options.jobs), options)
    cache = ProjectCache(root, options.cache_dir)
    if any(not sources.meta[p].digest for p in sources.texts):
        return run_project(_index_sources(root, config, sources, jobs=options.jobs), options)
    options_key = _options_key(root, paths, config, options)
    tree_key = _tree_key(root, sources)
    python = options.python or sys.executable
    stored = cache.load_result(options_key, tree_key, lambda: outside_fingerprint(python, root))
    if stored is not None and diskprobe.unchanged(stored.disk):
        return _from_cache(stored, sources)
    result = run_project(_index_sources(root, config, sources, cache, options.jobs), options)
    outside = outside_fingerprint(python, root) if result.environment_dependent else None
    cache.save_result(options_key, tree_key, result, outside)
    return result


@dataclass(frozen=True)
class ProjectTask:
    """One project of a multi-project run: its root, the paths asked for, config and options."""

    root: Path
    paths: Sequence[Path]
    config: Config
    options: RunOptions
    found: Discovery | None = None
    """The discovery of ``paths``, when the caller made it (the runner does, for nested projects)."""


def _run_task(task: ProjectTask) -> Result:
    return run(task.root, task.paths, task.config, task.options, task.found)


def run_projects(
    tasks: Sequence[ProjectTask],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Run several projects, in parallel when ``jobs`` > 1: one project per worker task.

    A monorepo run is many small projects; running whole projects in the shared pool keeps every
    core busy (file-level chunks of one small project leave workers idle while the parent
    indexes). A single project still spreads its files over the workers (``run``). Results come
    back in task order; a worker's exception is raised here as if the project had run in-process.
    """
    if jobs <= 1 or len(tasks) <= 1:
        return [_run_task(task) for task in tasks]
    pool = _shared_pool(jobs)
    # Workers run their project in-process: no nested pools, no progress callbacks to pickle.
    futures = [
        pool.submit(_run_task, replace(task, options=replace(task.options, jobs=1, progress=None)))
        for task in tasks
    ]
    results: list[Result] = []
    try:
        for done, future in enumerate(futures, 1):
            results.append(future.result())
            if progress:
                progress(done, len(tasks))
    except BrokenProcessPool:  # a worker died (killed, out of memory): finish in-process
        _shutdown_pool()
        results.extend(_run_task(task) for task in tasks[len(results) :])
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results
