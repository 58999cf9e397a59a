from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings
from vendor_settings import ExternalCors


class Cors(BaseModel):
    allow_origins: list[str] = Field(default_factory=lambda: ["*"])
    allow_methods: list[str] = ["GET"]


class Listed(BaseModel):
    allow_origins: list[str] = ["https://app.example.com"]


class Api(BaseModel):
    cors: Cors = Cors()
    listed: Listed = Field(default_factory=Listed)


class Settings(BaseSettings):
    cors: Cors = Field(default_factory=Cors)
    required_cors: "Cors"
    api: Api = Field(default_factory=lambda: Api())
    configured: Cors = Cors(allow_origins=["https://app.example.com"])
    optional: Cors | None = None
    vendored: ExternalCors = Field(default_factory=ExternalCors)
    listed: Listed = Listed()


settings = Settings()
