"""Public re-export of the aliasing helper."""
from app._compat import alias_legacy_root as alias_root
