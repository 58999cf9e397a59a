"""Optional libraries whose module paths say "routing" or "router" are no routers of this app:
only project modules (or relative imports) can be."""

import importlib

try:
    from werkzeug.routing import Map, Rule
except ImportError:  # werkzeug is optional
    Map = Rule = None

try:
    import osmnx.routing as ox_routing
except ImportError:
    ox_routing = None


def load_kernels():
    try:
        return importlib.import_module("fastlib.ops.moe_routing")
    except ImportError:
        return None
