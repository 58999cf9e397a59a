"""The ``archfix`` command line: click commands that parse options, call the engine, hand the result
to a reporter (and, with --apply, to the writer). No rule logic lives here.

Exit codes: 0 nothing to report; 1 findings (check), pending changes (fix --check) or files that
had to be skipped; 2 usage or configuration error.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from archfix import __version__
from archfix.codemods import all_rules
from archfix.codemods.base import FixPolicy
from archfix.config import ConfigError
from archfix.discovery import DiscoveryError
from archfix.engine import RunOptions
from archfix.models import Result
from archfix.runner import Overrides, run_paths

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _use_color(no_color: bool, stream: object = None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _split_ids(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class _Progress:
    """A progress bar on stderr for long runs on a terminal (silent otherwise)."""

    MIN_FILES = 200

    def __init__(self) -> None:
        self.bar: object | None = None
        self.done = 0
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.MIN_FILES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="archfix", file=sys.stderr)
            self.bar.__enter__()  # type: ignore[attr-defined]
        self.bar.update(done - self.done)  # type: ignore[attr-defined]
        self.done = done
        if done >= total:
            self.bar.__exit__(None, None, None)  # type: ignore[attr-defined]
            self.bar = None


def _fail(message: str) -> None:
    click.echo(f"archfix: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _run(
    paths: Sequence[str],
    *,
    select: Sequence[str],
    ignore: Sequence[str],
    unsafe_fixes: bool,
    policy: FixPolicy,
    jobs: int,
) -> list[Result]:
    overrides = Overrides(
        select=_split_ids(select), ignore=_split_ids(ignore), unsafe_fixes=unsafe_fixes or None
    )
    options = RunOptions(policy=policy, jobs=jobs, progress=_Progress())
    try:
        return run_paths([Path(p) for p in (paths or ["."])], overrides, options)
    except (ConfigError, DiscoveryError) as exc:
        _fail(str(exc))
        raise AssertionError("unreachable") from None


def _write_html(results: Sequence[Result], html_path: str, title: str) -> None:
    from archfix.reporters.html import ReportSection, render_html

    rules = {r.id: r.info() for r in all_rules()}
    sections = [ReportSection(r.root.name or str(r.root), r) for r in results]
    target = Path(html_path)
    try:
        target.write_text(render_html(sections, rules, title=title), encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write the HTML report {html_path}: {exc.strerror or exc}")


def _print_errors(results: Sequence[Result], color: bool) -> None:
    from archfix.reporters.text import format_error

    for result in results:
        for error in result.errors:
            click.echo(format_error(error, color=color), err=True)


_common_options = [
    click.argument("paths", nargs=-1, type=click.Path()),
    click.option(
        "--select",
        multiple=True,
        metavar="IDS",
        help="Only these rule ids (comma-separated, repeatable).",
    ),
    click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rule ids."),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=lambda: os.cpu_count() or 1,
        show_default="CPU count",
        help="Worker processes for large trees.",
    ),
    click.option("--no-color", is_flag=True, help="No ANSI colours (NO_COLOR is honoured too)."),
    click.option(
        "--html",
        "html_path",
        type=click.Path(dir_okay=False),
        help="Also write a self-contained HTML report.",
    ),
]


def common(func):  # type: ignore[no-untyped-def]
    for option in reversed(_common_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archfix")
def main() -> None:
    """archfix: find and safely fix the architecture defects that stop FastAPI/Starlette services
    from starting cleanly.

    \b
    archfix check app/          # list findings
    archfix fix app/            # preview fixes as a diff (nothing is written)
    archfix fix --apply app/    # write the fixes
    archfix rules               # what archfix checks
    archfix demo                # try it on the bundled broken example
    """


@main.command()
@common
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--unsafe-fixes", is_flag=True, help="Count unsafe fixes as available.")
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int,
    no_color: bool,
    html_path: str | None,
    fmt: str,
    unsafe_fixes: bool,
) -> None:
    """Report findings as `path:line:col: RULE-ID message` (changes nothing).

    Exit status: 0 no findings, 1 findings or skipped files, 2 usage or config error.

    \b
    Examples:
      archfix check                      # the project around the current directory
      archfix check services/billing --select duplicate-middleware
      archfix check . --format json > findings.json
    """
    from archfix.reporters.text import findings_summary, format_finding

    results = _run(
        paths,
        select=select,
        ignore=ignore,
        unsafe_fixes=unsafe_fixes,
        policy=FixPolicy(apply=False),
        jobs=jobs,
    )
    color = _use_color(no_color)
    findings = [f for r in results for f in r.findings]
    if fmt == "json":
        from archfix.reporters.json_report import render_json

        click.echo(render_json(results))
    else:
        _print_errors(results, _use_color(no_color, sys.stderr))
        for finding in findings:
            click.echo(format_finding(finding, color=color))
        click.echo(findings_summary(findings))
    if html_path:
        _write_html(results, html_path, "archfix check")
    errors = any(r.errors for r in results)
    sys.exit(EXIT_FINDINGS if findings or errors else EXIT_OK)


@main.command()
@common
@click.option(
    "--apply", "apply_", is_flag=True, help="Write the fixes (default: dry run, print the diff)."
)
@click.option("--check", "check_", is_flag=True, help="Exit 1 when fixes would be made (for CI).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that can change behaviour.")
@click.option(
    "--interactive", "-i", is_flag=True, help="Ask for each hunk: y(es) n(o) a(ll) q(uit)."
)
def fix(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int,
    no_color: bool,
    html_path: str | None,
    apply_: bool,
    check_: bool,
    fmt: str,
    unsafe_fixes: bool,
    interactive: bool,
) -> None:
    """Preview fixes as a unified diff (dry run), or write them with --apply.

    The diff goes to stdout (apply it with `git apply` from the same directory); the summary and
    any skipped files go to stderr. Unsafe fixes (they can change behaviour) are only made with
    --unsafe-fixes.

    \b
    Examples:
      archfix fix                          # dry run over the current project
      archfix fix app/ --html report.html  # also a side-by-side HTML report
      archfix fix --apply                  # write safe fixes
      archfix fix --apply --interactive    # choose hunk by hunk
      archfix fix --check                  # CI: exit 1 if anything would change
    """
    from archfix.reporters.diff import colorize, unified_diff
    from archfix.reporters.text import fix_summary, format_finding

    results = _run(
        paths,
        select=select,
        ignore=ignore,
        unsafe_fixes=unsafe_fixes,
        policy=FixPolicy(apply=True, unsafe=unsafe_fixes),
        jobs=jobs,
    )
    color = _use_color(no_color)
    err_color = _use_color(no_color, sys.stderr)
    if interactive:
        from archfix.interactive import select_hunks

        for result in results:
            chosen = select_hunks(result.changes, color=color)
            result.changes = chosen.changes
            result.errors.extend(chosen.errors)
    if fmt == "json":
        from archfix.reporters.json_report import render_json

        click.echo(render_json(results))
    elif not interactive:
        for result in results:
            for change in result.changes:
                diff = unified_diff(change)
                click.echo(colorize(diff) if color else diff, nl=False)
    write_failed = False
    if apply_:
        from archfix.writer import write_changes

        for result in results:
            report = write_changes(result.changes, result.root)
            result.errors.extend(report.errors)
            write_failed = write_failed or bool(report.errors)
    if html_path:
        _write_html(results, html_path, "archfix fix" + ("" if apply_ else " (dry run)"))
    if fmt == "text":
        _print_errors(results, err_color)
        for result in results:
            for finding in result.remaining:
                click.echo(format_finding(finding, color=err_color), err=True)
        merged = Result(root=Path.cwd())
        for result in results:
            merged.extend(result)
        click.echo(fix_summary(merged, applied_to_disk=apply_), err=True)
    if any(r.errors for r in results) or write_failed:
        sys.exit(EXIT_FINDINGS)
    if check_ and any(r.changes for r in results):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
)
@click.option("--explain", metavar="ID", help="Print one rule's full explanation.")
def rules(fmt: str, explain: str | None) -> None:
    """List every rule: id, title, fixable (safe/unsafe/no), review section.

    \b
    Examples:
      archfix rules
      archfix rules --explain duplicate-middleware
      archfix rules --format markdown     # the README's table
    """
    from archfix.reporters.rules_table import render_rules

    infos = [r.info() for r in all_rules()]
    if explain:
        match = [i for i in infos if i.id == explain]
        if not match:
            _fail(f"unknown rule id {explain!r} (see `archfix rules`)")
        info = match[0]
        click.echo(
            f"{info.id}: {info.title}\nFix: {info.fixable.label}    Review section: {info.section}\n\n{info.why}"
        )
        return
    click.echo(render_rules(infos, fmt, [r.priority for r in all_rules()]))


def example_dir() -> Path:
    """The bundled broken example backend (shipped in the source tree next to the package)."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here.parent / "examples" / "broken_backend",
        here / "_example" / "broken_backend",
    ):
        if (candidate / "app").is_dir():
            return candidate
    raise FileNotFoundError(
        "the bundled example is not installed; install archfix from a checkout (pip install -e .)"
    )


@main.command()
@click.option("--no-color", is_flag=True, help="No ANSI colours.")
@click.option(
    "--dir",
    "target",
    type=click.Path(file_okay=False),
    help="Where to copy the example (default: a new temp dir).",
)
def demo(no_color: bool, target: str | None) -> None:
    """Copy the bundled broken FastAPI backend to a temp dir, check it, preview the fixes and
    write the HTML report there. Nothing outside that copy is touched.

    \b
    Example:
      archfix demo
    """
    from archfix.reporters.diff import colorize, unified_diff
    from archfix.reporters.text import findings_summary, fix_summary, format_finding

    try:
        source = example_dir()
    except FileNotFoundError as exc:
        _fail(str(exc))
        return
    base = Path(target) if target else Path(tempfile.mkdtemp(prefix="archfix-demo-"))
    dest = base / "broken_backend"
    if dest.exists():
        _fail(f"{dest} already exists")
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db"))
    color = _use_color(no_color)
    click.echo(
        click.style(f"== archfix check {dest}", bold=True) if color else f"== archfix check {dest}"
    )
    overrides = Overrides()
    checked = run_paths([dest], overrides, RunOptions(policy=FixPolicy(apply=False)))
    for finding in (f for r in checked for f in r.findings):
        click.echo(format_finding(finding, color=color))
    click.echo(findings_summary(f for r in checked for f in r.findings))
    click.echo()
    click.echo(
        click.style(f"== archfix fix {dest}  (dry run)", bold=True)
        if color
        else f"== archfix fix {dest}  (dry run)"
    )
    fixed = run_paths([dest], overrides, RunOptions(policy=FixPolicy(apply=True)))
    for result in fixed:
        for change in result.changes:
            diff = unified_diff(change)
            click.echo(colorize(diff) if color else diff, nl=False)
        click.echo(fix_summary(result, applied_to_disk=False))
    report = base / "archfix-report.html"
    _write_html(fixed, str(report), "archfix demo: broken_backend (dry run)")
    click.echo()
    click.echo(f"HTML report: {report}")
    click.echo(f"Apply the fixes to the copy with: archfix fix --apply {dest}")


if __name__ == "__main__":
    main()
