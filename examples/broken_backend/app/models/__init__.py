"""ORM models."""
