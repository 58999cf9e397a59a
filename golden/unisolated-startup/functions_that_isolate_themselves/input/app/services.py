import logging

logger = logging.getLogger(__name__)
_client = None
demo_mode = False


async def init_cache() -> None:
    """Connect to Redis; run without a cache when it is down."""
    global _client
    try:
        import redis.asyncio as aioredis

        _client = aioredis.from_url("redis://localhost")
        await _client.ping()
    except Exception as exc:
        _client = None
        logger.warning("cache unavailable: %s", exc)


def init_db() -> bool:
    global demo_mode
    try:
        from app.models import create_all

        create_all()
    except BaseException:
        logger.exception("database unavailable, running in demo mode")
        demo_mode = True
        return False
    return True


def setup_tracing() -> None:
    """Catches one kind of error only: anything else still stops start-up."""
    try:
        import opentelemetry  # noqa: F401
    except ImportError:
        logger.info("tracing disabled")


def start_exporter() -> None:
    """Something runs outside the try: it may raise."""
    port = int("9100")
    try:
        logger.info("exporter on %s", port)
    except Exception:
        logger.exception("exporter failed")
