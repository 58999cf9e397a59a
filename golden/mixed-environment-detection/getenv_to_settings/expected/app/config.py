from pydantic_settings import BaseSettings, SettingsConfigDict

from app import vault


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True)

    ENVIRONMENT: str = "development"
    PRODUCTION: bool = False
    API_KEY: str = vault.read("API_KEY")


config = AppSettings()
