"""Running archfix over many services at once: a list of service roots or a manifest, in parallel.

Each service is its own project: its root is the directory given (not an ancestor), its
``[tool.archfix]`` is read from that root, and a manifest may override selection per service. Services
run in a process pool (one service per task), so one slow or broken service never holds up or stops
the others: a service that cannot run (bad config, missing directory, a crash) becomes a failed
outcome with a one-line reason, and the rest go on.

Manifest format (TOML; paths are relative to the manifest's folder)::

    [[service]]
    path = "services/billing"            # required; a glob such as "services/*" adds every match
    name = "billing"                     # optional display name (default: the path)
    select = ["duplicate-middleware"]    # optional, wins over the service's own [tool.archfix]
    extend-select = []                   # optional
    ignore = ["pool-settings"]           # optional, added to the service's ignore list
    unsafe-fixes = false                 # optional

Command-line ``--select`` wins over a manifest's ``select``; ``--ignore`` adds to it.

Sharding (``--shard I/N``) sorts the services by resolved path and takes every N-th one starting at
the I-th, so N CI jobs given the same service list each take a disjoint share and together cover
every service exactly once, whatever order the list was written in.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archfix.codemods.base import FixPolicy
from archfix.config import ConfigError
from archfix.discovery import DiscoveryError
from archfix.engine import RunOptions, run
from archfix.models import ErrorKind, FileError, Fix, Result
from archfix.paths import display_path
from archfix.runner import Overrides, config_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ManifestError(Exception):
    """The manifest cannot be used (one line)."""


@dataclass(frozen=True)
class Service:
    """One service root to run on, with the per-service overrides a manifest gave it."""

    path: Path
    name: str = ""
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None

    @property
    def label(self) -> str:
        """What the user sees: the manifest name, else the path relative to the current directory."""
        return self.name or display_path(self.path)

    def overrides(self, cli: Overrides) -> Overrides:
        """The service's overrides with the command line's on top."""
        return Overrides(
            select=cli.select or self.select,
            extend_select=(*self.extend_select, *cli.extend_select),
            ignore=(*self.ignore, *cli.ignore),
            unsafe_fixes=True if cli.unsafe_fixes or self.unsafe_fixes else None,
        )


_MANIFEST_KEYS = {"path", "name", "select", "extend-select", "ignore", "unsafe-fixes"}


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)


def parse_manifest(text: str, base: Path, source: str = "manifest") -> list[Service]:
    """The services a manifest lists (globs expanded), validated with one-line errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{source}: cannot read TOML: {exc}") from None
    unknown = set(data) - {"service"}
    if unknown:
        raise ManifestError(
            f"{source}: unknown top-level key {sorted(unknown)[0]!r} (use [[service]])"
        )
    entries = data.get("service", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ManifestError(f"{source}: 'service' must be an array of tables ([[service]])")
    services: list[Service] = []
    for number, entry in enumerate(entries, 1):
        where = f"{source}: service #{number}"
        bad = set(entry) - _MANIFEST_KEYS
        if bad:
            raise ManifestError(f"{where}: unknown key {sorted(bad)[0]!r}")
        raw = entry.get("path")
        if not isinstance(raw, str) or not raw:
            raise ManifestError(f"{where}: 'path' (a string) is required")
        name = entry.get("name", "")
        if not isinstance(name, str):
            raise ManifestError(f"{where}: 'name' must be a string")
        unsafe = entry.get("unsafe-fixes")
        if unsafe is not None and not isinstance(unsafe, bool):
            raise ManifestError(f"{where}: 'unsafe-fixes' must be true or false")
        common = {
            "select": _str_list(entry.get("select", []), f"{where}: 'select'"),
            "extend_select": _str_list(entry.get("extend-select", []), f"{where}: 'extend-select'"),
            "ignore": _str_list(entry.get("ignore", []), f"{where}: 'ignore'"),
            "unsafe_fixes": unsafe,
        }
        pattern = raw if os.path.isabs(raw) else str(base / raw)
        if glob.has_magic(raw):
            matches = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_dir())
            if not matches:
                raise ManifestError(f"{where}: {raw!r} matches no directory")
            # A name would be ambiguous for several matches: each is shown by its path.
            services.extend(
                Service(m, name if len(matches) == 1 else "", **common) for m in matches
            )
        else:
            services.append(Service(Path(pattern), name, **common))
    return services


def load_manifest(path: Path) -> list[Service]:
    """Read and parse a manifest file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc}") from None
    return parse_manifest(text, path.parent, str(path))


def unique_services(services: Iterable[Service]) -> list[Service]:
    """Services in first-seen order, each root once (a path given twice would be fixed twice)."""
    seen: set[str] = set()
    out = []
    for service in services:
        key = _sort_key(service)
        if key not in seen:
            seen.add(key)
            out.append(service)
    return out


def _sort_key(service: Service) -> str:
    return Path(os.path.abspath(service.path)).resolve().as_posix()


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N) with 1 <= I <= N; ValueError with a one-line reason otherwise."""
    index, sep, count = text.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError(f"--shard must look like I/N (e.g. 1/4), got {text!r}")
    i, n = int(index), int(count)
    if n < 1 or not 1 <= i <= n:
        raise ValueError(f"--shard {text}: I must be between 1 and N")
    return i, n


def select_shard(services: Sequence[Service], index: int, count: int) -> list[Service]:
    """The services of shard ``index`` (1-based) of ``count``: every count-th by sorted path."""
    ordered = sorted(services, key=_sort_key)
    return [s for n, s in enumerate(ordered) if n % count == index - 1]


# --- running -----------------------------------------------------------------------------------


@dataclass
class ServiceOutcome:
    """What happened to one service: its result, or why it could not run."""

    service: Service
    result: Result
    failure: str | None = None
    """One line when the service could not run at all (its result is then empty)."""
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """failed / errors (files skipped) / changes / findings / clean."""
        if self.failure:
            return "failed"
        if self.result.errors:
            return "errors"
        if self.result.changes:
            return "changes"
        if self.result.findings:
            return "findings"
        return "clean"


@dataclass(frozen=True)
class BatchOptions:
    """How to run each service (the engine's options minus what only makes sense per process)."""

    policy: FixPolicy = field(default_factory=FixPolicy)
    jobs: int = 1
    python: str | None = None
    verify: bool = True


def run_service(
    service: Service, cli: Overrides, options: BatchOptions, jobs: int = 1
) -> ServiceOutcome:
    """Run one service; never raises (a failure becomes the outcome's ``failure``)."""
    start = time.monotonic()
    root = Path(os.path.abspath(service.path))
    try:
        if not root.is_dir():
            raise DiscoveryError(f"{service.path}: not a directory")
        config = config_for(root, service.overrides(cli))
        policy = options.policy
        if config.unsafe_fixes and not policy.unsafe:
            policy = replace(policy, unsafe=True)
        run_options = RunOptions(
            policy=policy, jobs=jobs, python=options.python, verify=options.verify
        )
        result = run(root, [root], config, run_options)
    except (ConfigError, DiscoveryError, ManifestError) as exc:
        return _failed(service, root, _one_line(str(exc)), start)
    except OSError as exc:
        return _failed(service, root, f"cannot read: {_one_line(str(exc))}", start)
    except Exception as exc:  # one broken service must not stop the batch
        reason = f"archfix crashed: {type(exc).__name__}: {_one_line(str(exc))}"
        return _failed(service, root, reason, start)
    return ServiceOutcome(service, result, None, time.monotonic() - start)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failed(service: Service, root: Path, reason: str, start: float) -> ServiceOutcome:
    """A service that could not run: its result carries the reason as its one error, so every
    reporter (JSON, SARIF, HTML) shows it without knowing about batches."""
    result = Result(root=root, errors=[FileError(root, ErrorKind.READ, reason)])
    return ServiceOutcome(service, result, reason, time.monotonic() - start)


def run_batch(
    services: Sequence[Service],
    cli: Overrides,
    options: BatchOptions,
    on_done: Callable[[ServiceOutcome, int, int], None] | None = None,
) -> list[ServiceOutcome]:
    """Run every service (in parallel when jobs > 1) and return outcomes sorted by service path.

    ``on_done(outcome, done, total)`` is called in the parent as each service finishes, so progress
    shows up in completion order while the returned list stays deterministic.
    """
    total = len(services)
    outcomes: list[ServiceOutcome] = []
    workers = min(max(1, options.jobs), total)
    if workers <= 1:
        for done, service in enumerate(services, 1):
            # One service: let the engine use the jobs on its files instead.
            outcome = run_service(service, cli, options, jobs=max(1, options.jobs))
            outcomes.append(outcome)
            if on_done:
                on_done(outcome, done, total)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_service, s, cli, options): s for s in services}
            for done, future in enumerate(as_completed(futures), 1):
                service = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process itself died
                    root = Path(os.path.abspath(service.path))
                    reason = f"worker failed: {type(exc).__name__}: {_one_line(str(exc))}"
                    outcome = _failed(service, root, reason, time.monotonic())
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome, done, total)
    outcomes.sort(key=lambda o: _sort_key(o.service))
    return outcomes


# --- text output -------------------------------------------------------------------------------


def progress_line(outcome: ServiceOutcome, done: int, total: int) -> str:
    """One line per finished service, e.g. ``[2/3] services/billing: changes (2 files, 3 findings) 0.4s``."""
    width = len(str(total))
    head = f"[{done:>{width}}/{total}] {outcome.service.label}:"
    if outcome.failure:
        return f"{head} failed: {outcome.failure}"
    result = outcome.result
    details = [
        f"{len(result.changes)} file{'s' if len(result.changes) != 1 else ''} to change",
        f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}",
    ]
    if result.errors:
        details.append(f"{len(result.errors)} skipped")
    return f"{head} {outcome.status} ({', '.join(details)}) {outcome.seconds:.1f}s"


def _table(rows: Sequence[Sequence[str]], numeric_from: int, indent: str = "") -> list[str]:
    """Rows as aligned text columns; the first row is the header, columns from ``numeric_from``
    are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i >= numeric_from else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append(indent + "  ".join(cells).rstrip())
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return lines


def rule_rows(result: Result) -> list[tuple[str, int, int, int]]:
    """(rule, findings, fixed, fix skipped) per rule; "fix skipped" counts findings that have a fix
    which was not made (unsafe without --unsafe-fixes, suppressed, or dropped by verification)."""
    rows = []
    for rule in sorted({f.rule_id for f in result.findings}):
        found = [f for f in result.findings if f.rule_id == rule]
        fixed = sum(1 for f in found if f.applied)
        skipped = sum(1 for f in found if not f.applied and f.fix is not Fix.NONE)
        rows.append((rule, len(found), fixed, skipped))
    return rows


def summary_table(outcomes: Sequence[ServiceOutcome], applied: bool) -> str:
    """One overview row per service, then a findings-per-rule table for each service with
    findings, then a totals line."""
    changed = "files changed" if applied else "files to change"
    overview: list[Sequence[str]] = [("service", "status", changed, "findings", "skipped files")]
    for outcome in outcomes:
        result = outcome.result
        overview.append(
            (
                outcome.service.label,
                outcome.status,
                str(len(result.changes)),
                str(len(result.findings)),
                str(len(result.errors)),
            )
        )
    lines = _table(overview, numeric_from=2)
    fixed = "fixed" if applied else "would fix"
    for outcome in outcomes:
        if outcome.failure:
            lines.extend(["", f"{outcome.service.label}: failed: {outcome.failure}"])
            continue
        rows = rule_rows(outcome.result)
        if not rows:
            continue
        lines.extend(["", f"{outcome.service.label} ({outcome.status}):"])
        table: list[Sequence[str]] = [("rule", "findings", fixed, "fix skipped")]
        table.extend((rule, str(n), str(done), str(skip)) for rule, n, done, skip in rows)
        lines.extend(_table(table, numeric_from=1, indent="  "))
    statuses = Counter(o.status for o in outcomes)
    order = ("changes", "findings", "errors", "failed", "clean")
    totals = ", ".join(f"{statuses[s]} {s}" for s in order if statuses[s])
    noun = "service" if len(outcomes) == 1 else "services"
    lines.extend(["", f"{len(outcomes)} {noun}: {totals or 'none'}."])
    return "\n".join(lines)


def section_name(outcome: ServiceOutcome) -> str:
    """The HTML report's section title for a service: its label and status."""
    if outcome.failure:
        return f"{outcome.service.label} (failed: {outcome.failure})"
    return f"{outcome.service.label} ({outcome.status})"


def outcome_extras(outcome: ServiceOutcome) -> Mapping[str, Any]:
    """The batch-only keys a service adds to its JSON result (see json_report)."""
    extra: dict[str, Any] = {"status": outcome.status}
    if outcome.failure:
        extra["failure"] = outcome.failure
    return extra
