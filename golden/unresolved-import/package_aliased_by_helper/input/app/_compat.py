import importlib
import sys


def alias_legacy_root(name):
    """Point the legacy package's name (and so its submodules) at the distribution it moved to."""
    sys.modules[name] = importlib.import_module("newpkg")
