"""Hunk-by-hunk approval of changes (Bowler's and ``fixit fix --interactive``'s idea, on libcst output).

The user sees each hunk and answers y (take it), n (leave it), a (take this and every remaining hunk)
or q (stop: keep what was accepted so far). A partial selection is a new text that no rule produced,
so it is verified again: a selection that does not parse is refused for that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from archfix.engine import verify_source
from archfix.models import ErrorKind, FileChange, FileError
from archfix.paths import display_path
from archfix.reporters.diff import apply_hunks, colorize, split_hunks

Ask = Callable[[str], str]


@dataclass
class Selection:
    """The changes the user accepted (possibly partial) and the ones refused after verification."""

    changes: list[FileChange] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


def _prompt(question: str) -> str:
    return click.prompt(
        question, type=click.Choice(["y", "n", "a", "q"]), default="y", show_choices=True
    )


def select_hunks(
    changes: list[FileChange],
    *,
    ask: Ask = _prompt,
    echo: Callable[[str], None] = click.echo,
    color: bool = False,
    cwd: Path | None = None,
) -> Selection:
    """Ask about every hunk of every change; return what to write."""
    selection = Selection()
    take_all = False
    quit_now = False
    for change in changes:
        if quit_now:
            break
        name = display_path(change.path, cwd)
        if change.created or change.deleted:
            what = "create" if change.created else "delete"
            answer = "y" if take_all else ask(f"{what} {name}?")
            if answer == "q":
                break
            take_all = take_all or answer == "a"
            if answer in ("y", "a"):
                selection.changes.append(change)
            continue
        assert change.old_text is not None and change.new_text is not None
        hunks = split_hunks(change.old_text, change.new_text)
        accepted: list[bool] = []
        for number, hunk in enumerate(hunks, 1):
            if take_all:
                accepted.append(True)
                continue
            text = f"--- a/{name}\n+++ b/{name}\n{hunk.text}"
            echo(colorize(text) if color else text)
            answer = ask(f"Apply hunk {number}/{len(hunks)} of {name}?")
            if answer == "q":
                quit_now = True
                break
            take_all = answer == "a"
            accepted.append(answer in ("y", "a"))
        accepted.extend([False] * (len(hunks) - len(accepted)))
        if not any(accepted):
            continue
        new_text = apply_hunks(change.old_text, change.new_text, accepted)
        if new_text != change.new_text:
            problem = verify_source(new_text, change.path, must_compile=True)
            if problem:
                selection.errors.append(
                    FileError(
                        change.path,
                        ErrorKind.VERIFY,
                        f"the selected hunks do not form valid code ({problem}); file not changed",
                    )
                )
                continue
        selection.changes.append(replace(change, new_text=new_text))
    return selection
