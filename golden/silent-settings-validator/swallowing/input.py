import logging

import pydantic
import pydantic_settings
from pydantic import root_validator, validator

log = logging.getLogger(__name__)


class Settings(pydantic_settings.BaseSettings):
    database_url: str = "sqlite://"
    port: int = 8000

    @pydantic.field_validator("database_url", mode="before")
    @classmethod
    def load_url(cls, value):
        try:
            return fetch_secret("DATABASE_URL")
        except Exception:
            return value

    @validator("port", pre=True)
    def parse_port(cls, v):
        try:
            return int(v)
        except:  # noqa: E722
            log.warning("bad port")
            return None

    @root_validator(pre=True)
    def check(cls, values):
        try:
            values["x"] = compute()
        except (KeyError, BaseException):
            pass
        return values


class WorkerSettings(Settings):
    @pydantic.model_validator(mode="after")
    def resolve(self):
        try:
            self.port = lookup_port()
        except Exception as exc:
            log.error("using the default port: %s", exc)
            return self
        return self
