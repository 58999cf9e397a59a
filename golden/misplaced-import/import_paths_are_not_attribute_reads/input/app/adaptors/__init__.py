"""Lazy wrappers around optional cloud SDKs."""
