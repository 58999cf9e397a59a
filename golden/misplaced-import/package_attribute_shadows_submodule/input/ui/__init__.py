"""NiceGUI's shape: the package binds ``app`` to an object, which hides the ``ui.app`` subpackage."""

from .core import app

__all__ = ["app"]
