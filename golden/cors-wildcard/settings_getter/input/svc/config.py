from functools import lru_cache

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    allowed_hosts: list[str] = ["*"]
    admin_hosts: list[str] = ["https://admin.example.com"]


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def load():
    return Settings(_env_file=".env")


def other() -> dict:
    return {}
