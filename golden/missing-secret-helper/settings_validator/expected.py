"""Application settings, loaded from the environment (and GCP Secret Manager)."""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core import secret_manager


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


class Settings(BaseSettings):
    """Runtime configuration for every entry point."""

    model_config = SettingsConfigDict(env_file=".env", case_sensitive=True, extra="ignore")

    # Environment
    ENVIRONMENT: str = "development"
    PRODUCTION: bool = False
    LOG_LEVEL: str = "INFO"

    # Security
    JWT_SECRET_KEY: str = Field(default="", validate_default=True)
    CORS_ORIGINS: list[str] = ["*"]
    RATE_LIMIT_PER_MINUTE: int = 100
    FORCE_HTTPS: bool = False

    # Infrastructure
    DATABASE_URL: str = Field(default="sqlite:///./app.db", validate_default=True)
    GCP_PROJECT: str = ""

    # Feature flags
    ENABLE_MONITORING: bool = True
    ENABLE_KNOWLEDGE_GRAPH: bool = True

    @field_validator("JWT_SECRET_KEY", mode="before")
    @classmethod
    def load_jwt_secret(cls, value: str | None) -> str:
        """Prefer the environment; fall back to Secret Manager in deployed environments."""
        if value:
            return value
        return _get_secret("JWT_SECRET_KEY")

    @field_validator("DATABASE_URL", mode="before")
    @classmethod
    def load_database_url(cls, value: str) -> str:
        """Cloud SQL credentials live in Secret Manager; keep the local URL otherwise."""
        try:
            return _get_secret("DATABASE_URL", default=value)
        except Exception:
            return value

    def secret(self, name: str) -> str | None:
        """Look up an ad-hoc secret (API keys for third-party integrations)."""
        return secret_manager.get_secret(name)


settings = Settings()
