from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    class Config:
        env_prefix = "APP_"

    env: str = "local"


settings = Settings()
