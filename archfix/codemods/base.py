"""The contract every rule implements, and the contexts through which rules report and edit.

A rule never writes and never prints: it reports findings (with the fix it made, Fixit-style) and,
for multi-file rules, returns file edits through its context. The engine decides which fixes are
allowed (safe, or unsafe with --unsafe-fixes, and not suppressed) — ``report`` returns that decision,
so detection and fixing live in one place and ``check`` and ``fix`` come from the same code.

Two shapes share one contract:
- :class:`FileCodemod`: a libcst transformer run on one parsed file (all selected file rules share
  that parse). ``leave_*`` methods call ``self.report(node, message, fix=Fix.SAFE)`` and return the
  replacement only when it returns True.
- :class:`ProjectCodemod`: ``run()`` sees the whole :class:`~archfix.project.Project` and calls
  ``self.ctx.edit/create/delete`` for the files it changes.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from archfix.config import Option, RuleConfigSpec
from archfix.models import Finding, Fix, RuleInfo
from archfix.nfkc import identifiers_stable
from archfix.project import Project

# The marker may follow other comment text on the line ("# deliberate. archfix: ignore[rule]").
_IGNORE = re.compile(r"#.*?\barchfix:\s*ignore(?!-file)(?:\[([^\]]*)\])?")
_IGNORE_FILE = re.compile(r"#.*?\barchfix:\s*ignore-file(?:\[([^\]]*)\])?")


def _ids(group: str | None) -> set[str] | None:
    """Rule ids in an ignore comment's brackets; None means every rule."""
    if group is None:
        return None
    return {part.strip() for part in group.split(",") if part.strip()}


def line_suppresses(line: str, rule_id: str) -> bool:
    """True when ``line`` carries ``# archfix: ignore`` or ``# archfix: ignore[rule-id, ...]``."""
    for match in _IGNORE.finditer(line):
        ids = _ids(match.group(1))
        if ids is None or rule_id in ids:
            return True
    return False


def file_suppresses(text: str, rule_id: str) -> bool:
    """True when the file carries ``# archfix: ignore-file`` (all rules) or names the rule."""
    if "archfix:" not in text:
        return False
    for match in _IGNORE_FILE.finditer(text):
        ids = _ids(match.group(1))
        if ids is None or rule_id in ids:
            return True
    return False


@dataclass(frozen=True)
class FixPolicy:
    """Which fixes the engine lets rules make in this run."""

    apply: bool = False
    """False for ``check``: rules only report."""
    unsafe: bool = False

    def allows(self, fix: Fix) -> bool:
        return self.apply and (fix is Fix.SAFE or (fix is Fix.UNSAFE and self.unsafe))


@dataclass
class Reporter:
    """Collects one rule's findings for one file or project pass, applying suppressions."""

    rule_id: str
    policy: FixPolicy
    findings: list[Finding] = field(default_factory=list)
    fixes_made: int = 0

    def add(
        self,
        path: Path,
        line: int,
        col: int,
        message: str,
        fix: Fix,
        lines: list[str] | None,
        end_line: int | None = None,
    ) -> bool:
        if lines is not None and self._suppressed(lines, line, end_line or line):
            return False
        apply = self.policy.allows(fix)
        self.findings.append(Finding(self.rule_id, path, line, col, message, fix, apply))
        if apply:
            self.fixes_made += 1
        return apply

    def _suppressed(self, lines: list[str], line: int, end_line: int) -> bool:
        """A marker on the finding's first or last line, or on a comment-only line just above."""

        def marked(n: int) -> bool:
            return 1 <= n <= len(lines) and line_suppresses(lines[n - 1], self.rule_id)

        above = line - 1
        comment_above = 1 <= above <= len(lines) and lines[above - 1].lstrip().startswith("#")
        return marked(line) or marked(end_line) or (comment_above and marked(above))


# Nodes whose children can be statements. A read-only visitor looking for statements only
# (``try``, blocks, ``from`` imports) can return False for every other node from ``on_visit``:
# expressions never contain statements, and libcst rebuilds every node it passes.
STATEMENT_CONTAINERS: tuple[type[cst.CSTNode], ...] = (
    cst.Module,
    cst.BaseCompoundStatement,
    cst.BaseSuite,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Else,
    cst.Finally,
    cst.MatchCase,
)


def function_defs(module: cst.Module) -> list[cst.FunctionDef]:
    """Every function in the module, in source order, found by walking statement bodies only.

    Functions can only be defined by statements, so there is no need to traverse expressions;
    libcst's visitor machinery rebuilds every node it passes, which made this walk a measurable
    part of each rule's cost.
    """
    found: list[cst.FunctionDef] = []

    def walk(body: object) -> None:
        if isinstance(body, (list, tuple)):
            for stmt in body:
                walk(stmt)
            return
        if isinstance(body, cst.FunctionDef):
            found.append(body)
        if isinstance(body, cst.SimpleStatementLine) or not isinstance(body, cst.CSTNode):
            return
        for attr in ("body", "orelse", "handlers", "finalbody", "cases"):
            child = getattr(body, attr, None)
            if child is None:
                continue
            if isinstance(child, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                walk(list(child.body))
            elif isinstance(child, (list, tuple)):
                walk(list(child))
            elif isinstance(child, cst.CSTNode):
                walk(child)

    walk(list(module.body))
    return found


class RuleMeta:
    """Metadata every rule class declares (mixed into both rule shapes)."""

    id: ClassVar[str]
    """kebab-case, equal to the module name with '-' for '_' (a test enforces it)."""
    title: ClassVar[str]
    """One imperative line."""
    section: ClassVar[str]
    """The review section the rule answers, e.g. "3.1 Middleware Registration Order"."""
    fixable: ClassVar[Fix] = Fix.NONE
    """The strongest fix the rule can make (safe > unsafe > none); individual reports may be weaker."""
    triggers: ClassVar[tuple[str, ...]] = ()
    """Cheap text prefilter: the rule only looks at files containing one of these strings.
    An empty tuple means every file."""
    priority: ClassVar[int] = 100
    """Rules run in (priority, id) order; lower first. Documented in the README's rules table."""
    options: ClassVar[Mapping[str, Option]] = {}
    config_tables: ClassVar[Mapping[str, Option]] = {}
    """Extra ``[tool.archfix.<name>]`` tables the rule owns (for example ``imports``)."""

    @classmethod
    def info(cls) -> RuleInfo:
        module = sys.modules.get(cls.__module__)
        why = (module.__doc__ if module else None) or cls.__doc__ or ""
        return RuleInfo(cls.id, cls.title, cls.fixable, cls.section, why.strip())

    @classmethod
    def config_spec(cls) -> RuleConfigSpec:
        return RuleConfigSpec(cls.id, cls.options, cls.config_tables)

    @classmethod
    def wants_text(cls, text: str) -> bool:
        """The prefilter: can this rule possibly act on a file with this text?"""
        return not cls.triggers or any(t in text for t in cls.triggers)


class SourceText:
    """The current text of a file and its stdlib ``ast`` tree, parsed at most once for all rules
    of a pass (several rules analyse the file with ``ast``). Rules must not mutate the tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tree: ast.Module | None = None
        self._error: SyntaxError | ValueError | None = None
        self._stable: bool | None = None

    def identifiers_stable(self) -> bool:
        """:func:`archfix.nfkc.identifiers_stable` of the text, computed once for all rules."""
        if self._stable is None:
            self._stable = identifiers_stable(self.text)
        return self._stable

    def tree(self) -> ast.Module:
        """``ast.parse(self.text)``; raises what it raises, every time."""
        if self._error is not None:
            raise self._error
        if self._tree is None:
            try:
                self._tree = ast.parse(self.text)
            except (SyntaxError, ValueError) as exc:
                self._error = exc
                raise
        return self._tree


@dataclass
class FileContext:
    """What a file rule knows about the file it is visiting and the project around it."""

    path: Path
    module_name: str | None
    project: Project
    options: Mapping[str, Any]
    lines: list[str]
    """The current text's lines, for suppression comments."""
    reporter: Reporter
    positions: Callable[[], Mapping[cst.CSTNode, CodeRange]] | None = None
    """Positions of the visited tree's nodes, computed on first call and shared by the pass's
    rules: a rule that reports nothing never pays for them."""
    source: SourceText | None = None
    """The text the visited tree prints (None when libcst cannot print it)."""


class FileCodemod(RuleMeta, cst.CSTTransformer):
    """A rule that transforms one file; instantiated once per file per pass by the engine."""

    METADATA_DEPENDENCIES: ClassVar[tuple[Any, ...]] = ()
    """Positions are not declared: :meth:`position` resolves them lazily through the context."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx

    @classmethod
    def wants(cls, path: Path, text: str, project: Project) -> bool:
        """Whether to parse and visit this file; override to narrow with the project index."""
        return cls.wants_text(text)

    @classmethod
    def wants_tree(cls, tree: ast.Module, module_name: str | None, project: Project) -> bool:
        """The second prefilter, on the ``ast`` tree of a text the first one let through.

        False only when the rule can certainly neither report nor change anything in this text:
        the engine then does not run it, and a file no rule wants is never parsed by libcst (a
        word like ``startup`` in a large file costs a libcst parse otherwise). Identifiers in the
        tree are NFKC-normalised; the engine asks only about texts where that changes nothing.
        """
        return True

    def position(self, node: cst.CSTNode) -> CodeRange | None:
        """Where ``node`` is in the visited file; None for nodes the rule created."""
        if PositionProvider in self.metadata:
            return self.get_metadata(PositionProvider, node, None)
        if self.ctx.positions is None:
            raise RuntimeError("FileContext.positions is needed for rules that report positions")
        return self.ctx.positions().get(node)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Fix = Fix.NONE,
    ) -> bool:
        """Record a finding at ``node``; True means: make the fix now (return the replacement)."""
        pos = self.position(node)
        line, col, end = (
            (pos.start.line, pos.start.column + 1, pos.end.line) if pos is not None else (1, 1, 1)
        )
        return self.ctx.reporter.add(
            self.ctx.path, line, col, message, fix, self.ctx.lines, end_line=end
        )


@dataclass
class ProjectEdits:
    """File edits a project rule asks for: new text per path, created files, deletions."""

    texts: dict[Path, str | None] = field(default_factory=dict)
    """path -> new text; None deletes the file."""
    created: set[Path] = field(default_factory=set)


@dataclass
class ProjectContext:
    """What a project rule gets: the project (read-only), its options, and where to put results."""

    project: Project
    options: Mapping[str, Any]
    reporter: Reporter
    edits: ProjectEdits = field(default_factory=ProjectEdits)
    python: str = sys.executable
    """The target's interpreter, for rules that verify by importing (merge-entrypoints)."""
    verify: bool = True
    outside: set[str] = field(default_factory=set)
    """What the rule read besides the project's Python files (shared by the run's rules)."""

    def imports_the_project(self) -> None:
        """Say that the result depends on importing the project's code with ``python``: the
        environment, the installed packages and every file of the project (``.env`` too)."""
        self.outside.add("environment")

    def report(self, path: Path, line: int, col: int, message: str, fix: Fix = Fix.NONE) -> bool:
        """Record a finding in ``path``; True means: make the fix. Honours per-file-ignores,
        ``# archfix: ignore-file[...]`` and line suppressions, as for file rules."""
        rule_id = self.reporter.rule_id
        text = self.project.read_text(path)
        if self.project.rule_ignored(path, rule_id) or (
            text is not None and file_suppresses(text, rule_id)
        ):
            return False
        lines = text.splitlines() if text is not None else None
        return self.reporter.add(path, line, col, message, fix, lines)

    def edit(self, path: Path, new_text: str) -> None:
        self.edits.texts[path] = new_text

    def create(self, path: Path, text: str) -> None:
        self.edits.texts[path] = text
        self.edits.created.add(path)

    def delete(self, path: Path) -> None:
        self.edits.texts[path] = None


class ProjectCodemod(RuleMeta):
    """A rule that must see several files at once; it returns edits, it never writes."""

    def __init__(self, ctx: ProjectContext) -> None:
        self.ctx = ctx

    def run(self) -> None:
        raise NotImplementedError
