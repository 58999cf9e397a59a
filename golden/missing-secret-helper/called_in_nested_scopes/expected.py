"""The getter is called from nested scopes only; a class attribute of that name is not visible there."""

import os
from typing import Any


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


def decorate(value):
    return lambda function: function


class Settings:
    _get_secret = staticmethod(os.getenv)

    @decorate(_get_secret("DECORATOR_KEY"))
    def key(self, fallback=lambda: _get_secret("LAMBDA_KEY")):
        values = [_get_secret(name) for name in ("A", "B")]
        return values, fallback

    class Inner:
        token = _get_secret("INNER_TOKEN", "default")


def nested():
    def deeper():
        if os.environ:
            return _get_secret(name="DEEP_KEY")
        return None

    return deeper
