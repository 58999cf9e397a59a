"""Legacy import entrypoint: this package is an alias of ``json`` now."""
from app._compat import alias_legacy_root as _alias_legacy_root

_alias_legacy_root(__name__)
