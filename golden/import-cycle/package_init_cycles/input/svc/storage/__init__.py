from svc.storage.store import Store

__all__ = ["Store"]
