async def connect_redis() -> None:
    """Start-up must stop when Redis is down: every request needs it."""
    try:
        await _ping()
    except TimeoutError as exc:
        raise RuntimeError("Failed to connect to Redis") from exc


async def connect_metrics() -> None:
    await _ping()


async def _ping() -> None:
    return None
