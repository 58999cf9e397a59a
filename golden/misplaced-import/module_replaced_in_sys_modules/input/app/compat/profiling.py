"""Compatibility alias: importers of this module get app.core.profiling itself."""

import sys

from app.core import profiling as _implementation

sys.modules[__name__] = _implementation
