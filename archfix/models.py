"""Results as data: what rules found, what they changed, and what could not be processed.

Every stage after the engine (reporters, the writer, git, batch) consumes only these types, so the
engine and the rules never need to know how a result is shown or written.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Fix(str, enum.Enum):
    """How safe a rule's fix is: applied by default, only with --unsafe-fixes, or not offered."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"

    @property
    def label(self) -> str:
        """The word the rules table uses (ruff's vocabulary)."""
        return {"safe": "safe", "unsafe": "unsafe", "none": "no"}[self.value]


@dataclass(frozen=True)
class Finding:
    """One diagnostic: a rule found a defect at a place, and maybe fixed it."""

    rule_id: str
    path: Path
    line: int
    col: int
    message: str
    fix: Fix = Fix.NONE
    applied: bool = False
    """True when the fix was made in this run's result (so it is in a change, not a remaining finding)."""


@dataclass(frozen=True)
class SourceMeta:
    """How a file was stored on disk, so a rewrite can store it the same way."""

    encoding: str = "utf-8"
    bom: bool = False
    mode: int | None = None
    digest: str = ""
    """sha256 of the bytes read; a write is refused when the file on disk no longer matches."""


@dataclass
class FileChange:
    """The new content of one file (or its creation or deletion), and the rules that produced it."""

    path: Path
    old_text: str | None
    """None when the file is created."""
    new_text: str | None
    """None when the file is deleted."""
    rules: list[str] = field(default_factory=list)
    meta: SourceMeta = field(default_factory=SourceMeta)

    @property
    def created(self) -> bool:
        return self.old_text is None

    @property
    def deleted(self) -> bool:
        return self.new_text is None


class ErrorKind(str, enum.Enum):
    """Why a file was skipped or a change dropped; reporters group by it."""

    DECODE = "decode"
    PARSE = "parse"
    ROUNDTRIP = "roundtrip"
    VERIFY = "verify"
    CONVERGE = "converge"
    TOO_LARGE = "too-large"
    SYMLINK = "symlink"
    READ = "read"
    WRITE = "write"
    CONFLICT = "conflict"
    RULE = "rule-crash"
    VERIFY_APP = "verify-app"


@dataclass(frozen=True)
class FileError:
    """A file that was skipped, or a change that was dropped, with a one-line reason."""

    path: Path
    kind: ErrorKind
    message: str
    rule_id: str | None = None


@dataclass
class Result:
    """Everything one run over one project produced."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    rules: list[str] = field(default_factory=list)
    """Ids of the rules that ran, in engine order."""
    disk: dict[str, str] = field(default_factory=dict)
    """Folders rules looked into beyond the files read, with their listings then
    (:mod:`archfix.diskprobe`): the cache reuses the result only while they list the same."""
    environment_dependent: bool = False
    """A rule imported the project's apps (merge verification): the result also depends on the
    environment, the interpreter's installed packages and the project's non-Python files, so the
    cache keeps it only while those are unchanged."""

    @property
    def remaining(self) -> list[Finding]:
        """Findings still present after the fixes in this result."""
        return [f for f in self.findings if not f.applied]

    @property
    def applied(self) -> list[Finding]:
        return [f for f in self.findings if f.applied]

    def extend(self, other: Result) -> None:
        """Merge another result into this one (used by batch runs and interactive selection)."""
        self.findings.extend(other.findings)
        self.changes.extend(other.changes)
        self.errors.extend(other.errors)
        self.files_scanned += other.files_scanned
        self.files_parsed += other.files_parsed
        for rule in other.rules:
            if rule not in self.rules:
                self.rules.append(rule)


@dataclass(frozen=True)
class RuleInfo:
    """A rule's documentation as reporters need it, detached from the rule's code."""

    id: str
    title: str
    fixable: Fix
    section: str
    """The review section the rule answers, e.g. "3.1 Middleware Registration Order"."""
    why: str
    """The rule module's docstring: what breaks and why."""
