import logging

from pydantic import BaseModel, field_validator
from pydantic_settings import BaseSettings

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    database_url: str = "sqlite://"
    port: int = 8000

    @field_validator("database_url", mode="before")
    @classmethod
    def load_url(cls, value):
        try:
            return fetch_secret("DATABASE_URL")
        except Exception:
            log.exception("cannot read DATABASE_URL")
            raise

    @field_validator("port", mode="before")
    @classmethod
    def parse_port(cls, value):
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"PORT must be an integer, got {value!r}") from exc

    @field_validator("port")
    @classmethod
    def optional_default(cls, value):
        try:
            return int(value)
        except ValueError:
            return 8000

    def helper(self):
        # Not a validator: a broad fallback here is not configuration validation.
        try:
            return compute()
        except Exception:
            return None


class Payload(BaseModel):
    # A request model, not settings.
    size: int = 0

    @field_validator("size", mode="before")
    @classmethod
    def lenient(cls, value):
        try:
            return int(value)
        except Exception:
            return 0
