"""Starlette middleware used by the entry points."""
