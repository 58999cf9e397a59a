import logging
import os

import redis

log = logging.getLogger(__name__)

REDIS_URL = _get_secret("REDIS_URL", "redis://localhost:6379/0")
API_KEY = _get_secret("MAPS_API_KEY", None)
client = redis.Redis.from_url(REDIS_URL)
