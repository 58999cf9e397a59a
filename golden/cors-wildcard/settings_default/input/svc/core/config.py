from pydantic import Field
from pydantic_settings import BaseSettings


class ServiceSettings(BaseSettings):
    allowed_origins: list[str] = Field(default_factory=lambda: ["*"])
    admin_origins: list[str] = ["https://admin.example.com"]


cfg = ServiceSettings()
