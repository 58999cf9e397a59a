"""The module __getattr__ is imported from a helper module."""
from app._lazy import __getattr__
