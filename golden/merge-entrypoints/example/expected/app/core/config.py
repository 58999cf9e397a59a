"""Settings with feature flags the merge reuses."""

import os


class BaseSettings:
    """Stand-in for pydantic's BaseSettings (keeps the golden case dependency-free)."""


class Settings(BaseSettings):
    ENVIRONMENT: str = os.environ.get("ENVIRONMENT", "development")
    CORS_ORIGINS: list[str] = ["*"]
    ENABLE_MONITORING: bool = True
    ENABLE_KNOWLEDGE_GRAPH: bool = True


settings = Settings()
