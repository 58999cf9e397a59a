"""Core infrastructure: settings, secrets, logging, caching."""
