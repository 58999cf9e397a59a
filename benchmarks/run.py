"""Time archfix against references on one generated monorepo, and print a table.

One invocation generates (or reuses) an N-service tree with ``benchmarks/generate.py`` and times, on
that same tree, whole processes as a user would run them:

- ``archfix fix`` (dry run, all rules) with an empty cache (cold) and again with the cache (warm);
- ``archfix batch`` over the services and ``archfix check`` (cold cache);
- references: stdlib ``ast.parse`` of every file in one process, and libcst's own codemod CLI
  (``rename.RenameCommand``) doing one of archfix's fixes (the ``get_db`` import).

Each row shows the median wall time of ``--repeat`` runs, the peak RSS of the largest process of
the command (getrusage of a wrapper's children), the ratio to ``ast.parse``, and how many files the
command would change (so a fast run that misses fixes is visible). Goals from issue 8 are printed
below the table. Timings are whole-process wall times: they include interpreter start-up.

    python benchmarks/run.py --services 40
    python benchmarks/run.py --services 10 40 160 --repeat 3 --skip-libcst
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PY = sys.executable
ARCHFIX = [PY, "-m", "archfix"]
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "with open(sys.argv[1], 'wb') as out, open(sys.argv[2], 'wb') as err:\n"
    "    rc = subprocess.run(sys.argv[3:], stdout=out, stderr=err).returncode\n"
    "wall = time.perf_counter() - t\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(rc, wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime)\n"
)
_AST_PARSE = (
    "import ast, sys, pathlib\n"
    "n = 0\n"
    "for root in sys.argv[1:]:\n"
    "    for p in sorted(pathlib.Path(root).rglob('*.py')):\n"
    "        ast.parse(p.read_bytes(), filename=str(p)); n += 1\n"
)


@dataclass
class Row:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss_kb: int = 0
    changed: str = "-"
    note: str = ""
    stdout: str = field(default="", repr=False)
    """The last run's stdout (the warm diff, compared with the HTML row's)."""

    @property
    def wall(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None

    def progress(self) -> None:
        """One line on stderr as soon as a row is measured (a long run shows partial results)."""
        wall = "-" if self.wall is None else f"{self.wall:.2f} s"
        cpu = "-" if self.cpu is None else f"{self.cpu:.2f} s CPU"
        print(f"  {self.name}: {wall}, {cpu} {self.note}", file=sys.stderr, flush=True)

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpus) if self.cpus else None

    def add(self, run: Run) -> None:
        self.walls.append(run.wall)
        self.cpus.append(run.cpu)
        self.rss_kb = max(self.rss_kb, run.rss_kb)


@dataclass
class Run:
    rc: int
    wall: float
    rss_kb: int
    cpu: float
    """User + system CPU seconds of the command and all its processes (robust to a busy machine)."""
    stdout: str
    stderr: str


def measure(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float | None) -> Run:
    """Run ``cmd`` under a wrapper that reports its wall time and its largest process's RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        proc = subprocess.run(
            [PY, "-c", _WRAPPER, str(out), str(err), *cmd],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        rc, wall, rss, cpu = proc.stdout.split()
        return Run(
            int(rc),
            float(wall),
            int(rss) // (1024 if sys.platform == "darwin" else 1),
            float(cpu),
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
        )


def snapshot_code(dest: Path) -> Path:
    """Copy the archfix package, so every row runs the same code and the cache key stays put.

    The cache is keyed by archfix's code: in a checkout where files change during the benchmark,
    the warm row would otherwise measure a cache miss. The copy is byte-compiled, as ``pip
    install`` does: the rows run with PYTHONDONTWRITEBYTECODE=1 (nothing is written into the
    generated trees), under which every run would otherwise compile archfix's own modules again.
    """
    import compileall

    import archfix

    package = Path(archfix.__file__).resolve().parent
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(
        package, dest / "archfix", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    )
    compileall.compile_dir(dest / "archfix", quiet=1)
    return dest


def _changed_files(diff: str) -> int:
    return len(re.findall(r"^\+\+\+ ", diff, flags=re.M))


def bench_size(args: argparse.Namespace, services: int) -> tuple[list[Row], dict[str, int]]:
    work = Path(args.workdir) / f"mono-{services}"
    roots = generate(work, services, args.seed)
    rel = [str(r.relative_to(work)) for r in roots]
    files = [p for r in roots for p in r.rglob("*.py")]
    stats = {
        "services": len(roots),
        "files": len(files),
        "lines": sum(p.read_bytes().count(b"\n") for p in files),
    }
    base_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "CI": "1"}
    if args.code:
        base_env["PYTHONPATH"] = os.pathsep.join(
            [str(args.code), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    jobs = [f"--jobs={args.jobs}"]

    def fresh_cache() -> dict[str, str]:
        cache = Path(tempfile.mkdtemp(prefix="archfix-bench-cache-", dir=args.workdir))
        return {**base_env, "ARCHFIX_CACHE_DIR": str(cache)}

    rows: list[Row] = []

    ast_row = Row("stdlib ast.parse of every file (1 process)")
    for _ in range(args.repeat):
        ast_row.add(measure([PY, "-c", _AST_PARSE, *rel], base_env, work, None))
    ast_row.progress()
    rows.append(ast_row)

    cold = Row("archfix fix, dry run, all rules: cold (empty cache)")
    warm = Row("archfix fix, dry run, all rules: warm (unchanged tree)")
    for _ in range(args.repeat):
        env = fresh_cache()
        r = measure([*ARCHFIX, "fix", *jobs, *rel], env, work, args.timeout)
        cold.add(r)
        cold.changed = str(_changed_files(r.stdout))
        if r.rc not in (0, 1):
            cold.note = f"exit {r.rc}: {r.stderr.strip().splitlines()[-1:]}"
        w = measure([*ARCHFIX, "fix", *jobs, *rel], env, work, args.timeout)
        warm.add(w)
        warm.stdout = w.stdout
        warm.changed = str(_changed_files(w.stdout))
        if w.stdout != r.stdout:
            warm.note = "DIFF DIFFERS FROM COLD RUN"
    cold.progress()
    warm.progress()
    rows += [cold, warm]

    # The HTML report of the whole run: the warm run again, writing the report too; its cost is
    # this row minus the warm row (the result comes from the cache either way).
    html = Row("archfix fix --html report.html (warm; the report costs this minus warm)")
    report = Path(args.workdir) / f"report-{services}.html"
    for _ in range(args.repeat):
        h = measure([*ARCHFIX, "fix", *jobs, "--html", str(report), *rel], env, work, args.timeout)
        html.add(h)
        html.changed = str(_changed_files(h.stdout))
        if h.stdout != warm.stdout:
            html.note = "DIFF DIFFERS FROM WARM RUN"
    if report.exists():
        html.note = (html.note + " " if html.note else "") + f"{report.stat().st_size // 1024} KB"
    html.progress()
    rows.append(html)

    batch = Row("archfix batch over the services (cold cache)")
    probe = subprocess.run(
        [*ARCHFIX, "batch", "--help"], env=base_env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        batch.note = "skipped: `archfix batch` is not available in this checkout"
    else:
        for _ in range(args.repeat):
            r = measure([*ARCHFIX, "batch", *jobs, *rel], fresh_cache(), work, args.timeout)
            batch.add(r)
            batch.changed = str(_changed_files(r.stdout))
    batch.progress()
    rows.append(batch)

    check = Row("archfix check, all rules (cold cache)")
    for _ in range(args.repeat):
        r = measure([*ARCHFIX, "check", *jobs, *rel], fresh_cache(), work, args.timeout)
        check.add(r)
        found = re.findall(r"^(\S+?):\d+:\d+: ", r.stdout, flags=re.M)
        check.changed = f"{len(found)} findings in {len(set(found))} files"
    check.progress()
    rows.append(check)

    # The same cold fix without merge-entrypoints' verification, which imports every entry point
    # of a family and the merged app (the apps' own import time, not archfix's): the split shows
    # what archfix itself costs and what importing the users' apps costs.
    unverified = Row("archfix fix --no-verify, cold: as cold fix, merges not import-verified")
    for _ in range(args.repeat):
        r = measure(
            [*ARCHFIX, "fix", "--no-verify", *jobs, *rel], fresh_cache(), work, args.timeout
        )
        unverified.add(r)
        unverified.changed = str(_changed_files(r.stdout))
    unverified.progress()
    rows.append(unverified)

    lc = Row("libcst.tool codemod rename.RenameCommand (get_db import only)")
    if args.skip_libcst:
        lc.note = "skipped (--skip-libcst)"
    else:
        cmd = [
            PY,
            "-m",
            "libcst.tool",
            "codemod",
            "rename.RenameCommand",
            "--old_name=app.db.base.get_db",
            "--new_name=app.database.get_db",
            f"--jobs={args.jobs}",
            "--unified-diff",
            "--no-format",
            "--hide-progress",
            *rel,
        ]
        try:
            r = measure(cmd, base_env, work, args.libcst_timeout)
            lc.add(r)
            lc.changed = str(_changed_files(r.stdout))
        except subprocess.TimeoutExpired:
            lc.note = f"timed out after {args.libcst_timeout:.0f} s (1 run)"
    lc.progress()
    rows.append(lc)
    return rows, stats


def _fmt_table(rows: list[Row], stats: dict[str, int], args: argparse.Namespace) -> str:
    ref = rows[0].wall or 1.0
    cpu_ref = rows[0].cpu or 1.0
    lines = [
        f"{stats['services']} services, {stats['files']} files, {stats['lines']:,} lines; "
        f"--jobs={args.jobs}, median of {args.repeat}, {os.cpu_count()} CPUs",
        "",
        "| what | wall (s) | x ast.parse | CPU (s) | x ast.parse CPU | peak RSS (MB) "
        "| files changed | note |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        wall = row.wall
        if wall is None:
            lines.append(f"| {row.name} | - | - | - | - | - | - | {row.note} |")
            continue
        lines.append(
            f"| {row.name} | {wall:.2f} | {wall / ref:.2f} | {row.cpu:.2f} | "
            f"{(row.cpu or 0) / cpu_ref:.2f} | {row.rss_kb / 1024:.0f} | {row.changed} | {row.note} |"
        )
    _ast, cold, warm, html, _batch, check, unverified, lc = rows
    goals = []
    if cold.wall:
        goals.append(
            f"cold fix = {cold.wall / ref:.1f}x ast.parse wall, "
            f"{(cold.cpu or 0) / cpu_ref:.1f}x its CPU (goal <= 3x)"
        )
    if unverified.wall:
        goals.append(
            f"(cold fix --no-verify = {unverified.wall / ref:.1f}x, "
            f"check = {(check.wall or 0) / ref:.1f}x)"
        )
    if warm.wall:
        goals.append(f"warm fix = {warm.wall / ref:.2f}x ast.parse (goal <= 0.5x)")
    if html.wall and warm.wall:
        goals.append(f"HTML report = {max(0.0, html.wall - warm.wall):.2f} s (goal < 2 s)")
    if cold.wall and lc.wall:
        goals.append(f"libcst codemod / cold fix = {lc.wall / cold.wall:.1f}x (goal > 50x)")
    peak = max(r.rss_kb for r in rows[1:-1]) / 1024
    goals.append(f"peak RSS of archfix fix = {peak:.0f} MB (goal < 300 MB)")
    lines += ["", "Goals: " + "; ".join(goals)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, nargs="+", default=[40])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--skip-libcst", action="store_true")
    parser.add_argument("--libcst-timeout", type=float, default=600.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="per archfix command")
    parser.add_argument("--workdir", default=None, help="where trees go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees")
    parser.add_argument(
        "--live-code",
        action="store_true",
        help="run the installed archfix instead of a snapshot copied at start",
    )
    args = parser.parse_args()
    own_workdir = args.workdir is None
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="archfix-bench-")
    args.code = None if args.live_code else snapshot_code(Path(args.workdir) / "code")
    colds: dict[int, float] = {}
    try:
        for n in args.services:
            started = time.perf_counter()
            rows, stats = bench_size(args, n)
            print(_fmt_table(rows, stats, args))
            print(f"(benchmark of {n} services took {time.perf_counter() - started:.0f} s)\n")
            if rows[1].wall:
                colds[n] = rows[1].wall
            sys.stdout.flush()
        if len(colds) > 1:
            sizes = sorted(colds)
            growth = [
                f"{b}/{a} services: cold fix {colds[b] / colds[a]:.2f}x (size {b / a:.0f}x)"
                for a, b in itertools.pairwise(sizes)
            ]
            print("Growth: " + "; ".join(growth) + " (goal: 160 services <= 4.4x of 40)")
    finally:
        if own_workdir and not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
