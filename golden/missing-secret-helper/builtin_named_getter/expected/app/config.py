"""A builtin listed as a getter is never missing (it resolves to the builtin); _get_secret is."""

import os


def _get_secret(name: str) -> str:
    """Return the secret ``name`` from the environment or GCP Secret Manager.

    Secret Manager is read when GOOGLE_CLOUD_PROJECT is set and google-cloud-secret-manager
    is installed.
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
    raise RuntimeError(
        f"secret {name} is not set: define the environment variable {name} "
        "or create it in Secret Manager (with GOOGLE_CLOUD_PROJECT set)"
    )


def read_key(path: str) -> str:
    with open(path) as handle:
        return handle.read()


API_KEY = _get_secret("API_KEY") or os.environ.get("API_KEY_FALLBACK")
