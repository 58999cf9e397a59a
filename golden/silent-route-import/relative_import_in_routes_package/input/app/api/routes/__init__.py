"""Routers of the API: the text spells "rout" only here; the relative import gets it from the package."""

try:
    from . import users
except ImportError:
    users = None
