"""``[tool.archfix]`` in the target's pyproject.toml: rule selection, excludes and per-rule options.

Unknown keys and wrong types are errors with one line that says what to change: a typo in a config
key must not silently turn a rule off (or on) across fifty services.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem the user must fix; the message is one line."""


DEFAULT_MAX_FILE_SIZE = 2_000_000
"""Bytes. Larger files are skipped with a report: generated code of that size is not hand-written service
code, and libcst's parse time grows with it (a 20 MB file would stall a batch)."""


@dataclass(frozen=True)
class Option:
    """One per-rule option: its TOML type, default and one-line help."""

    kind: str
    """One of: bool, int, str, list[str], dict[str,str], dict[str,list[str]]."""
    default: Any
    help: str


def _check_type(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "dict[str,str]":
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if kind == "dict[str,list[str]]":
        return isinstance(value, dict) and all(
            isinstance(k, str) and _check_type("list[str]", v) for k, v in value.items()
        )
    raise AssertionError(f"unknown option kind {kind}")


_TOP_LEVEL: dict[str, Option] = {
    "select": Option("list[str]", ["ALL"], "Rule ids to run (ALL for every rule)."),
    "ignore": Option("list[str]", [], "Rule ids not to run."),
    "exclude": Option("list[str]", [], "gitignore-style patterns of files and folders to skip."),
    "per-file-ignores": Option(
        "dict[str,list[str]]", {}, "gitignore-style pattern -> rule ids silenced in those files."
    ),
    "unsafe-fixes": Option("bool", False, "Apply fixes that can change behaviour."),
    "respect-gitignore": Option("bool", True, "Skip files matched by .gitignore files."),
    "max-file-size": Option("int", DEFAULT_MAX_FILE_SIZE, "Skip larger files (bytes)."),
}


@dataclass(frozen=True)
class Config:
    """The validated ``[tool.archfix]`` table of one project (plus command-line overrides)."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """rule id -> option name -> value, defaults filled in for every known rule."""
    source: Path | None = None
    """The pyproject.toml the config came from, for messages."""

    def options_for(self, rule_id: str) -> Mapping[str, Any]:
        return self.rule_options.get(rule_id, {})

    def with_overrides(
        self,
        *,
        select: Sequence[str] | None = None,
        extend_select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        unsafe_fixes: bool | None = None,
    ) -> Config:
        """The config with command-line options applied on top (they win over the file)."""
        cfg = self
        if select:
            cfg = replace(cfg, select=tuple(select))
        if extend_select:
            cfg = replace(cfg, select=(*cfg.select, *extend_select))
        if ignore:
            cfg = replace(cfg, ignore=(*cfg.ignore, *ignore))
        if unsafe_fixes is not None:
            cfg = replace(cfg, unsafe_fixes=unsafe_fixes or cfg.unsafe_fixes)
        return cfg

    def selected(self, known: Iterable[str]) -> list[str]:
        """Rule ids to run, in the order of ``known``; unknown ids are a ConfigError."""
        known = list(known)
        for rid in (*self.select, *self.ignore):
            if rid != "ALL" and rid not in known:
                raise ConfigError(f"unknown rule id {rid!r} (see `archfix rules`)")
        chosen = known if "ALL" in self.select else [r for r in known if r in self.select]
        return [r for r in chosen if r not in self.ignore]


@dataclass(frozen=True)
class RuleConfigSpec:
    """What a rule accepts in config: its options, and extra top-level tables it owns."""

    rule_id: str
    options: Mapping[str, Option]
    tables: Mapping[str, Option] = field(default_factory=dict)
    """Extra ``[tool.archfix.<name>]`` tables owned by the rule, e.g. ``imports``."""


def _where(source: Path | None, key: str) -> str:
    return f"{source.name if source else 'config'}: [tool.archfix] {key}"


def _close_match(name: str, choices: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def parse_config(
    table: Mapping[str, Any], specs: Sequence[RuleConfigSpec], source: Path | None = None
) -> Config:
    """Validate a ``[tool.archfix]`` table against the top-level keys and the rules' option specs."""
    by_rule = {s.rule_id: s for s in specs}
    tables = {name: (s.rule_id, opt) for s in specs for name, opt in s.tables.items()}
    values: dict[str, Any] = {k: v.default for k, v in _TOP_LEVEL.items()}
    rule_options: dict[str, dict[str, Any]] = {
        s.rule_id: {k: o.default for k, o in s.options.items()} for s in specs
    }
    for s in specs:
        for name, opt in s.tables.items():
            rule_options[s.rule_id][name] = opt.default
    for key, value in table.items():
        if key in _TOP_LEVEL:
            opt = _TOP_LEVEL[key]
            if not _check_type(opt.kind, value):
                raise ConfigError(f"{_where(source, key)} must be {opt.kind}, got {value!r}")
            values[key] = value
        elif key in tables:
            rule_id, opt = tables[key]
            if not _check_type(opt.kind, value):
                raise ConfigError(f"{_where(source, key)} must be a table of {opt.kind}")
            rule_options[rule_id][key] = value
        elif key in by_rule:
            spec = by_rule[key]
            if not isinstance(value, dict):
                raise ConfigError(f"{_where(source, key)} must be a table of options")
            for opt_name, opt_value in value.items():
                if opt_name not in spec.options:
                    known = ", ".join(sorted(spec.options)) or "none"
                    raise ConfigError(
                        f"{_where(source, f'{key}.{opt_name}')}: unknown option"
                        f"{_close_match(opt_name, spec.options)} (known: {known})"
                    )
                opt = spec.options[opt_name]
                if not _check_type(opt.kind, opt_value):
                    raise ConfigError(
                        f"{_where(source, f'{key}.{opt_name}')} must be {opt.kind}, "
                        f"got {opt_value!r}"
                    )
                rule_options[key][opt_name] = opt_value
        else:
            choices = [*_TOP_LEVEL, *by_rule, *tables]
            raise ConfigError(f"{_where(source, key)}: unknown key{_close_match(key, choices)}")
    return Config(
        select=tuple(values["select"]),
        ignore=tuple(values["ignore"]),
        exclude=tuple(values["exclude"]),
        per_file_ignores={k: tuple(v) for k, v in values["per-file-ignores"].items()},
        unsafe_fixes=values["unsafe-fixes"],
        respect_gitignore=values["respect-gitignore"],
        max_file_size=values["max-file-size"],
        rule_options=rule_options,
        source=source,
    )


def load_config(root: Path, specs: Sequence[RuleConfigSpec]) -> Config:
    """Read ``[tool.archfix]`` from ``root/pyproject.toml`` (defaults when absent)."""
    pyproject = root / "pyproject.toml"
    table: Mapping[str, Any] = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{pyproject}: cannot read TOML: {exc}") from None
        tool = data.get("tool", {})
        table = tool.get("archfix", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.archfix] must be a table")
    return parse_config(table, specs, pyproject if pyproject.is_file() else None)
