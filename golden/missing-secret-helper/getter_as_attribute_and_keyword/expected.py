"""The getter's name as an attribute and as a keyword argument binds nothing in this module: the
call still raises NameError (decided from the ast alone, without libcst's scope analysis)."""

import os
from types import SimpleNamespace


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


vault = SimpleNamespace(_get_secret=os.getenv)
vault._get_secret = os.getenv
TOKEN = _get_secret("TOKEN") if vault._get_secret("USE_VAULT") else None
