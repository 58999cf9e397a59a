import importlib
import sys


def alias_legacy_root(legacy_name):
    """Point the legacy package's name at the package it moved to."""
    sys.modules[legacy_name] = importlib.import_module("json")
