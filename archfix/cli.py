"""The ``archfix`` command line: click commands that parse options, call the engine, hand the result
to a reporter (and, with --apply, to the writer). No rule logic lives here.

Exit codes: 0 nothing to report; 1 findings (check), pending changes (fix --check) or files that
had to be skipped; 2 usage or configuration error (and, for --branch, a dirty work tree or an
existing branch: nothing is changed).
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
from archfix.models import Fix, Result, RuleInfo
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
    python: str | None = None,
    verify: bool = True,
) -> list[Result]:
    overrides = Overrides(
        select=_split_ids(select), ignore=_split_ids(ignore), unsafe_fixes=unsafe_fixes or None
    )
    options = RunOptions(
        policy=policy, jobs=jobs, progress=_Progress(), python=python, verify=verify
    )
    try:
        return run_paths([Path(p) for p in (paths or ["."])], overrides, options)
    except (ConfigError, DiscoveryError) as exc:
        _fail(str(exc))
        raise AssertionError("unreachable") from None


def _rule_infos() -> dict[str, RuleInfo]:
    return {r.id: r.info() for r in all_rules()}


def _write_html(
    results: Sequence[Result],
    html_path: str,
    title: str,
    names: Sequence[str] | None = None,
) -> None:
    from archfix.reporters.html import ReportSection, render_html

    rules = _rule_infos()
    if names is None:
        names = [r.root.name or str(r.root) for r in results]
    sections = [ReportSection(name, r) for name, r in zip(names, results, strict=True)]
    target = Path(html_path)
    try:
        target.write_text(render_html(sections, rules, title=title), encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write the HTML report {html_path}: {exc.strerror or exc}")


def _machine_output(
    fmt: str, results: Sequence[Result], *, applied_to_disk: bool, sarif_paths: str
) -> str | None:
    """The json/sarif/github rendering of results, or None for text."""
    if fmt == "json":
        from archfix.reporters.json_report import render_json

        return render_json(results)
    if fmt == "sarif":
        from archfix.reporters.sarif import render_sarif

        return render_sarif(
            results, _rule_infos(), applied_to_disk=applied_to_disk, paths=sarif_paths
        )
    if fmt == "github":
        from archfix.reporters.github import render_github

        return render_github(results, applied_to_disk=applied_to_disk)
    return None


def _print_errors(results: Sequence[Result], color: bool) -> None:
    from archfix.reporters.text import format_error

    for result in results:
        for error in result.errors:
            click.echo(format_error(error, color=color), err=True)


_shared_options = [
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
    click.option(  # an env var, so batch worker processes see it too
        "--no-cache",
        is_flag=True,
        expose_value=False,
        callback=lambda _ctx, _param, on: os.environ.update(ARCHFIX_NO_CACHE="1") if on else None,
        help="Neither read nor write the result cache (same as ARCHFIX_NO_CACHE=1).",
    ),
    click.option(
        "--html",
        "html_path",
        type=click.Path(dir_okay=False),
        help="Also write a self-contained HTML report.",
    ),
]


_common_options = [click.argument("paths", nargs=-1, type=click.Path()), *_shared_options]

FORMATS = ["text", "json", "sarif", "github"]

_format_options = [
    click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="json: stable schema; sarif: SARIF 2.1.0 for code scanning; github: workflow annotations.",
    ),
    click.option(
        "--sarif-paths",
        type=click.Choice(["service", "cwd"]),
        default="service",
        show_default=True,
        help="SARIF URIs relative to each service root, or to the current directory "
        "(use cwd for GitHub code scanning of a monorepo).",
    ),
]

_fix_options = [
    click.option(
        "--apply",
        "apply_",
        is_flag=True,
        help="Write the fixes (default: dry run, print the diff).",
    ),
    click.option(
        "--check", "check_", is_flag=True, help="Exit 1 when fixes would be made (for CI)."
    ),
    click.option(
        "--branch",
        metavar="NAME",
        help="With --apply: commit the fixes on a new git branch NAME (one commit per service).",
    ),
    click.option("--stay", is_flag=True, help="With --branch: stay on NAME afterwards."),
    click.option(
        "--no-verify",
        is_flag=True,
        help="Skip verifying merged entrypoints by importing the target's app.",
    ),
    click.option(
        "--python",
        "python",
        metavar="PATH",
        help="The target's Python interpreter (for verification by import).",
    ),
]


def _apply(options: list) -> object:  # type: ignore[type-arg]
    def decorate(func):  # type: ignore[no-untyped-def]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def common(func):  # type: ignore[no-untyped-def]
    return _apply(_common_options)(func)


def _check_branch_flags(apply_: bool, branch: str | None, stay: bool) -> None:
    if branch and not apply_:
        _fail("--branch needs --apply (a dry run changes nothing to commit)")
    if stay and not branch:
        _fail("--stay only makes sense with --branch NAME")


def _git_preflight(paths: Sequence[Path], branch: str) -> dict[Path, object]:
    from archfix.git import GitError, preflight

    try:
        return dict(preflight(paths, branch))
    except GitError as exc:
        _fail(str(exc))
        raise AssertionError("unreachable") from None


def _commit_on_branch(
    units: Sequence[tuple[str, Result]], branch: str, stay: bool, states: dict[Path, object]
) -> bool:
    """Write and commit on the branch; True when it worked (else everything was restored)."""
    from archfix.git import GitError, Unit, apply_on_branch, describe

    try:
        report = apply_on_branch(
            [Unit(label, result) for label, result in units],
            branch,
            stay=stay,
            states=states,  # type: ignore[arg-type]
        )
    except GitError as exc:
        click.echo(f"archfix: error: {exc}", err=True)
        return False
    for line in describe(report):
        click.echo(line, err=True)
    return True


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
@_apply(_format_options)
@click.option("--unsafe-fixes", is_flag=True, help="Count unsafe fixes as available.")
def check(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int,
    no_color: bool,
    html_path: str | None,
    fmt: str,
    sarif_paths: str,
    unsafe_fixes: bool,
) -> None:
    """Report findings as `path:line:col: RULE-ID message` (changes nothing).

    Exit status: 0 no findings, 1 findings or skipped files, 2 usage or config error.

    \b
    Examples:
      archfix check                      # the project around the current directory
      archfix check services/billing --select duplicate-middleware
      archfix check . --format json > findings.json
      archfix check . --format sarif > archfix.sarif   # for code scanning
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
    machine = _machine_output(fmt, results, applied_to_disk=False, sarif_paths=sarif_paths)
    if machine is not None:
        click.echo(machine)
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
@_apply(_fix_options)
@_apply(_format_options)
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
    branch: str | None,
    stay: bool,
    no_verify: bool,
    python: str | None,
    fmt: str,
    sarif_paths: str,
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
      archfix fix --apply --branch archfix/fixes   # commit the fixes on a new branch
    """
    from archfix.reporters.diff import colorize, unified_diff
    from archfix.reporters.text import fix_summary, format_finding

    _check_branch_flags(apply_, branch, stay)
    states = _git_preflight([Path(p) for p in paths or ["."]], branch) if branch else {}
    results = _run(
        paths,
        select=select,
        ignore=ignore,
        unsafe_fixes=unsafe_fixes,
        policy=FixPolicy(apply=True, unsafe=unsafe_fixes),
        jobs=jobs,
        python=python,
        verify=not no_verify,
    )
    color = _use_color(no_color)
    err_color = _use_color(no_color, sys.stderr)
    if interactive:
        from archfix.interactive import select_hunks

        for result in results:
            chosen = select_hunks(result.changes, color=color)
            result.changes = chosen.changes
            result.errors.extend(chosen.errors)
    if apply_:
        from archfix.linemap import onto_changes

        for result in results:
            onto_changes(result)  # positions in the files as written
    machine = _machine_output(fmt, results, applied_to_disk=apply_, sarif_paths=sarif_paths)
    if machine is not None:
        click.echo(machine)
    elif not interactive:
        for result in results:
            for change in result.changes:
                diff = unified_diff(change)
                click.echo(colorize(diff) if color else diff, nl=False)
    write_failed = False
    if apply_ and branch:
        from archfix.paths import display_path

        units = [(display_path(r.root), r) for r in results]
        write_failed = not _commit_on_branch(units, branch, stay, states)
    elif apply_:
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
@click.argument("dirs", nargs=-1, type=click.Path())
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="TOML file listing the services ([[service]] path = ..., optional overrides).",
)
@_apply(_shared_options)
@_apply(_fix_options)
@_apply(_format_options)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that can change behaviour.")
@click.option(
    "--shard",
    metavar="I/N",
    help="Only the I-th of N deterministic shares of the services (for a CI matrix).",
)
def batch(
    dirs: tuple[str, ...],
    manifest: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int,
    no_color: bool,
    html_path: str | None,
    apply_: bool,
    check_: bool,
    branch: str | None,
    stay: bool,
    no_verify: bool,
    python: str | None,
    fmt: str,
    sarif_paths: str,
    unsafe_fixes: bool,
    shard: str | None,
) -> None:
    """Preview or apply fixes in many services at once, in parallel (one process per service).

    Each DIR is a service root with its own [tool.archfix]. Dry run by default: the diffs go to
    stdout; one progress line per service as it finishes and a summary table go to stderr. A
    service that cannot run (bad config, missing folder) is reported and the others go on.

    Exit status: 0 done, 1 skipped files or (with --check) pending changes, 2 usage error, a
    refused --branch, or a service that could not run.

    \b
    Examples:
      archfix batch services/*                        # preview every service
      archfix batch --manifest services.toml --html batch.html
      archfix batch services/* --apply --branch archfix/fixes
      archfix batch services/* --shard 2/8 --format json > shard-2.json
    """
    from archfix import batch as batching
    from archfix.reporters.diff import colorize, unified_diff

    _check_branch_flags(apply_, branch, stay)
    try:
        services = [batching.Service(Path(d)) for d in dirs]
        if manifest:
            services.extend(batching.load_manifest(Path(manifest)))
        services = batching.unique_services(services)
        if shard:
            services = batching.select_shard(services, *batching.parse_shard(shard))
    except (batching.ManifestError, ValueError) as exc:
        _fail(str(exc))
    if not services and not shard:
        _fail("no services: give service folders or --manifest FILE")
    states = _git_preflight([s.path for s in services], branch) if branch and services else {}
    overrides = Overrides(
        select=_split_ids(select), ignore=_split_ids(ignore), unsafe_fixes=unsafe_fixes or None
    )
    options = batching.BatchOptions(
        policy=FixPolicy(apply=True, unsafe=unsafe_fixes),
        jobs=jobs,
        python=python,
        verify=not no_verify,
    )

    def progress(outcome: batching.ServiceOutcome, done: int, total: int) -> None:
        click.echo(batching.progress_line(outcome, done, total), err=True)

    outcomes = batching.run_batch(services, overrides, options, on_done=progress)
    results = [o.result for o in outcomes]
    color = _use_color(no_color)
    if fmt == "json":
        from archfix.reporters.json_report import render_batch_json

        click.echo(
            render_batch_json(
                [(o.result, o.service.label, batching.outcome_extras(o)) for o in outcomes]
            )
        )
    elif fmt != "text":
        click.echo(
            _machine_output(fmt, results, applied_to_disk=apply_, sarif_paths=sarif_paths) or ""
        )
    else:
        for result in results:
            for change in result.changes:
                diff = unified_diff(change)
                click.echo(colorize(diff) if color else diff, nl=False)
    write_failed = False
    if apply_ and branch:
        units = [(o.service.label, o.result) for o in outcomes if not o.failure]
        write_failed = not _commit_on_branch(units, branch, stay, states)
    elif apply_:
        from archfix.writer import write_changes

        for result in results:
            report = write_changes(result.changes, result.root)
            result.errors.extend(report.errors)
            write_failed = write_failed or bool(report.errors)
    if html_path:
        _write_html(
            results,
            html_path,
            "archfix batch" + ("" if apply_ else " (dry run)"),
            names=[batching.section_name(o) for o in outcomes],
        )
    if fmt == "text":
        _print_errors(
            [o.result for o in outcomes if not o.failure], _use_color(no_color, sys.stderr)
        )
        click.echo(batching.summary_table(outcomes, applied=apply_ and not write_failed), err=True)
    if any(o.failure for o in outcomes):
        sys.exit(EXIT_USAGE)
    if write_failed or any(r.errors for r in results):
        sys.exit(EXIT_FINDINGS)
    if check_ and any(r.changes for r in results):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.group()
def report() -> None:
    """Work with saved results (``--format json`` output)."""


@report.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the merged HTML report.",
)
@click.option("--title", default="archfix report", show_default=True, help="The report's title.")
def merge(files: tuple[str, ...], html_path: str, title: str) -> None:
    """Merge JSON results (e.g. one per CI shard) into one HTML report, a section per service.

    \b
    Example:
      archfix report merge shard-*.json --html archfix-report.html
    """
    from archfix.reporters.json_report import SchemaError, load_results

    results: list[Result] = []
    names: list[str] = []
    for file in files:
        try:
            entries = load_results(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{file}: cannot read: {exc}")
            return
        except SchemaError as exc:
            _fail(f"{file}: {exc}")
            return
        for result, name, extra in entries:
            results.append(result)
            status = f"failed: {extra['failure']}" if extra.get("failure") else extra.get("status")
            names.append(f"{name} ({status})" if status else name)
    _write_html(results, html_path, title, names=names)
    click.echo(f"Wrote {html_path}: {len(results)} results from {len(files)} files.", err=True)


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
    safe_rules = {r.id for r in all_rules() if r.fixable is Fix.SAFE}
    for result in fixed:
        for change in result.changes:
            diff = unified_diff(change)
            click.echo(colorize(diff) if color else diff, nl=False)
        # Say why a rule that normally fixes did not (e.g. merge verification could not import
        # the app because fastapi is not installed next to archfix).
        for finding in result.remaining:
            if finding.rule_id in safe_rules:
                click.echo(format_finding(finding, color=color))
        click.echo(fix_summary(result, applied_to_disk=False))
    report = base / "archfix-report.html"
    _write_html(fixed, str(report), "archfix demo: broken_backend (dry run)")
    click.echo()
    click.echo(f"HTML report: {report}")
    click.echo(f"Apply the fixes to the copy with: archfix fix --apply {dest}")


if __name__ == "__main__":
    main()
