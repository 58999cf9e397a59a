from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    environment: str = "dev"


settings = Settings()
