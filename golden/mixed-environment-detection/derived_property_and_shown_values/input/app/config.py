from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    environment: str = "development"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def is_dev(self) -> bool:
        return self.environment in ("development", "local")


settings = Settings()
