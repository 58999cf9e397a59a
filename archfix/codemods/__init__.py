"""The rule registry: every module in this package (except ``base``) defines exactly one rule.

Rules are found by module name, so a rule cannot exist without being registered and its id cannot
drift from its module (django-upgrade's approach; a test checks id == module slug).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from archfix.codemods.base import FileCodemod, ProjectCodemod, RuleMeta

RuleClass = type[FileCodemod] | type[ProjectCodemod]

_NOT_RULES = {"base"}


def _rule_in(module_name: str) -> RuleClass:
    module = importlib.import_module(f"{__name__}.{module_name}")
    expected = module_name.replace("_", "-")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, RuleMeta)
        and obj.__module__ == module.__name__
        and getattr(obj, "id", None) == expected
    ]
    if len(found) != 1:
        raise RuntimeError(
            f"archfix.codemods.{module_name} must define one rule with id {expected!r}"
        )
    return found[0]


@cache
def all_rules() -> tuple[RuleClass, ...]:
    """Every rule, in engine order: (priority, id)."""
    names = [
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name not in _NOT_RULES
    ]
    rules = [_rule_in(name) for name in names]
    return tuple(sorted(rules, key=lambda r: (r.priority, r.id)))


def rules_by_id() -> dict[str, RuleClass]:
    return {r.id: r for r in all_rules()}
