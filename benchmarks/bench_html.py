"""Time ``render_html`` on generated changes, to keep the side-by-side diff's cost in check.

The cases are the ones that make ``difflib.HtmlDiff`` blow up (a block of similar changed lines,
CPython issue #119105) and the common one that must stay cheap (a large file, a few edits).

    python benchmarks/bench_html.py [--repeat N] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from archfix.models import FileChange, Result
from archfix.reporters.html import ReportSection, render_html

ROOT = Path("/bench")


def similar_block(lines: int) -> FileChange:
    """A block of ``lines`` changed lines that all look alike (the HtmlDiff worst case)."""
    old = "".join(f"    setting_{i} = config.get('key_{i}', default=1)\n" for i in range(lines))
    new = "".join(f"    setting_{i} = config.get('key_{i}', default=2)\n" for i in range(lines))
    head = "import config\n\n\ndef load():\n"
    return FileChange(ROOT / f"block_{lines}.py", head + old, head + new)


def scattered_edits(lines: int, edits: int) -> FileChange:
    """A large, realistic-looking file (many repeated lines) with a few edits spread through it."""
    old_lines = []
    for i in range(lines):
        kind = i % 8
        if kind == 0:
            old_lines.append(f"def handler_{i}(request):\n")
        elif kind in (1, 2, 3):
            old_lines.append(f"    value_{i} = request.get('{i}')\n")
        elif kind == 4:
            old_lines.append("    return value\n")
        else:
            old_lines.append("\n")
    new_lines = list(old_lines)
    for k in range(edits):
        index = (k * lines) // edits + 1
        new_lines[index] = new_lines[index].replace("request.get", "request.query_params.get")
    return FileChange(ROOT / f"big_{lines}.py", "".join(old_lines), "".join(new_lines))


CASES: dict[str, Callable[[], FileChange]] = {
    "block-100": lambda: similar_block(100),
    "block-200": lambda: similar_block(200),
    "block-400": lambda: similar_block(400),
    "block-800": lambda: similar_block(800),
    "block-5000": lambda: similar_block(5000),
    "file-20k-10-edits": lambda: scattered_edits(20_000, 10),
}


def time_case(change: FileChange, repeat: int) -> tuple[float, float, int]:
    """Best and median seconds over ``repeat`` runs, and the report size in bytes."""
    section = ReportSection("bench", Result(root=ROOT, changes=[change]))
    timings = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        page = render_html([section], {}, cwd=ROOT)
        timings.append(time.perf_counter() - start)
        size = len(page.encode())
    return min(timings), statistics.median(timings), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--only", choices=sorted(CASES), help="run a single case")
    args = parser.parse_args()

    names = [args.only] if args.only else list(CASES)
    print(f"{'case':<20} {'old lines':>9} {'best s':>8} {'median s':>9} {'html KiB':>9}")
    for name in names:
        change = CASES[name]()
        best, median, size = time_case(change, args.repeat)
        old_lines = (change.old_text or "").count("\n")
        print(f"{name:<20} {old_lines:>9} {best:>8.3f} {median:>9.3f} {size / 1024:>9.0f}")


if __name__ == "__main__":
    main()
