"""Moved to the ``newpkg`` distribution; this name is an alias of it."""
from app._compat import alias_legacy_root

alias_legacy_root(__name__)
