"""Standard-library names, re-exported lazily through an assigned __getattr__."""
from app._lazy import make_getattr

__getattr__ = make_getattr({"JSONDecodeError": "json"})
