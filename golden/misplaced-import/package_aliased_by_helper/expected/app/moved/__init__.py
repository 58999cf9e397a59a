"""Aliased through a re-exported helper, read as a module attribute."""
from app import compat

compat.alias_root(legacy_name=__name__)
