"""The package re-exports its API; its submodules import shared names back from it.

Importing any ``svc.*`` module runs this file first, so these cycles always load in one order.
"""

VERSION = "1.0"

from svc.client import Client  # noqa: E402
from svc.storage import Store  # noqa: E402

__all__ = ["VERSION", "Client", "Store"]
