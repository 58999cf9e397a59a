"""Story platform backend."""
