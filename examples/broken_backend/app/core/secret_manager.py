"""Thin wrapper around Google Cloud Secret Manager.

The GCP client library is optional: it is imported lazily, so local development
and tests never need it installed.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from app.core import config

log = logging.getLogger(__name__)


class SecretManagerClient:
    """Reads secret versions from one GCP project."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from google.cloud import secretmanager  # optional dependency

            self._client = secretmanager.SecretManagerServiceClient()
        return self._client

    def access(self, name: str, version: str = "latest") -> str:
        path = f"projects/{self.project_id}/secrets/{name}/versions/{version}"
        response = self._get_client().access_secret_version(request={"name": path})
        return response.payload.data.decode("utf-8")


def get_secret(name: str) -> str | None:
    """Return a secret from the environment, or from Secret Manager when a project is set."""
    value = os.getenv(name)
    if value:
        return value
    project = config.settings.GCP_PROJECT
    if not project:
        return None
    try:
        return SecretManagerClient(project).access(name)
    except Exception:  # secrets are optional outside production
        log.warning("Could not read secret %s from project %s", name, project)
        return None
