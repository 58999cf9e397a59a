"""In-process cache manager (stands in for Redis in this service)."""

from __future__ import annotations

from collections import defaultdict


class CacheManager:
    """Collects per-path timings; must be initialized by the application lifespan."""

    def __init__(self) -> None:
        self._timings: dict[str, list[float]] | None = None

    @property
    def is_ready(self) -> bool:
        return self._timings is not None

    def initialize(self) -> None:
        self._timings = defaultdict(list)

    def record_timing(self, path: str, seconds: float) -> None:
        if self._timings is None:
            raise RuntimeError("CacheManager used before initialize()")
        self._timings[path].append(seconds)


cache_manager = CacheManager()
