import logging
import os
from typing import Any

import redis


_NO_DEFAULT: Any = object()


def _get_secret(name: str, default: Any = _NO_DEFAULT) -> Any:
    """Return the secret ``name`` from the environment or GCP Secret Manager.

    Secret Manager is read when GOOGLE_CLOUD_PROJECT is set and google-cloud-secret-manager
    is installed. Otherwise the caller's default is returned, if one was given.
    Added by archfix (missing-secret-helper); it never logs a secret's value.
    """
    if name in os.environ:
        return os.environ[name]
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        try:
            from google.api_core import exceptions as gcp_exceptions
            from google.cloud import secretmanager
        except ImportError:  # the client library is optional outside GCP
            pass
        else:
            path = f"projects/{project}/secrets/{name}/versions/latest"
            try:
                client = secretmanager.SecretManagerServiceClient()
                response = client.access_secret_version(request={"name": path})
            except gcp_exceptions.NotFound:
                pass
            else:
                return response.payload.data.decode("utf-8")
    if default is not _NO_DEFAULT:
        return default
    raise RuntimeError(
        f"secret {name} is not set: define the environment variable {name} "
        "or create it in Secret Manager (with GOOGLE_CLOUD_PROJECT set)"
    )


log = logging.getLogger(__name__)

REDIS_URL = _get_secret("REDIS_URL", "redis://localhost:6379/0")
API_KEY = _get_secret("MAPS_API_KEY", None)
client = redis.Redis.from_url(REDIS_URL)
