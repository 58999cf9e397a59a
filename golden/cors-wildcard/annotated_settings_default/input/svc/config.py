from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings


class AppConfig(BaseSettings):
    """pydantic v2 style: the default lives in the Annotated metadata."""

    CORS_ALLOW_ORIGINS: Annotated[list[str], Field(default=["*"])]
    ADMIN_ORIGINS: Annotated[list[str], Field(default=["https://admin.example.com"])]


settings = AppConfig()
