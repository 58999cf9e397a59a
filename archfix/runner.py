"""From command-line paths to Results: group paths by project root, load each root's config, run.

Several paths may belong to different projects (each with its own ``[tool.archfix]``); each project
is run on its own, as ruff resolves settings per file's nearest pyproject.toml.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from archfix.codemods import all_rules
from archfix.config import Config, load_config
from archfix.discovery import DiscoveryError, discover, find_root
from archfix.engine import ProjectTask, RunOptions, run_projects
from archfix.models import Result


@dataclass(frozen=True)
class Overrides:
    """Command-line options that win over ``[tool.archfix]``."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None


def config_for(root: Path, overrides: Overrides) -> Config:
    """The root's validated config with the overrides applied (ConfigError on bad input)."""
    config = load_config(root, [r.config_spec() for r in all_rules()])
    config = config.with_overrides(
        select=overrides.select,
        extend_select=overrides.extend_select,
        ignore=overrides.ignore,
        unsafe_fixes=overrides.unsafe_fixes,
    )
    config.selected(r.id for r in all_rules())  # unknown rule ids fail now, with one line
    return config


def group_by_root(paths: Sequence[Path]) -> dict[Path, list[Path]]:
    """Paths grouped under the project root each belongs to, in first-seen order."""
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        if not os.path.lexists(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        groups.setdefault(find_root(path), []).append(path)
    return groups


def run_paths(paths: Sequence[Path], overrides: Overrides, options: RunOptions) -> list[Result]:
    """Run archfix on every project the paths belong to; one Result per project.

    A folder given on the command line may hold several projects (a monorepo's services, each
    with its own pyproject.toml): each runs on its own, with its own config and module names,
    after the project the folder itself belongs to. Every config is loaded (and validated)
    before anything runs, so a bad one fails fast; the projects then run in parallel, one per
    worker (see ``engine.run_projects``).
    """
    pending = list(group_by_root(paths).items())
    known = {root for root, _ in pending}
    tasks = []
    while pending:
        root, group = pending.pop(0)
        config = config_for(root, overrides)
        project_options = options
        if config.unsafe_fixes and not options.policy.unsafe:
            # Only this project asked for unsafe fixes: the others keep the command's policy.
            project_options = replace(options, policy=replace(options.policy, unsafe=True))
        # Discovered once, here: the nested projects it finds are queued, and the engine reads
        # the project's files from it instead of walking the folders again.
        found = discover(root, group, config.exclude, config.respect_gitignore)
        tasks.append(ProjectTask(root, group, config, project_options, found))
        nested = [n for n in dict.fromkeys(found.nested) if n not in known]
        known.update(nested)
        pending.extend((n, [n]) for n in nested)
    return run_projects(tasks, options.jobs, options.progress)
