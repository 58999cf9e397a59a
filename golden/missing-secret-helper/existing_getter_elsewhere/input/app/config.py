from pydantic_settings import BaseSettings

from app import secret_store


class Settings(BaseSettings):
    jwt_secret_key: str = ""

    def model_post_init(self, __context: object) -> None:
        if not self.jwt_secret_key:
            self.jwt_secret_key = _get_secret("JWT_SECRET_KEY")

    def fallback(self, name: str) -> str | None:
        return None


settings = Settings()
