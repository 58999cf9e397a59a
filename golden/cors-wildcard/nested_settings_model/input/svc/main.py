"""allow_origins read from a settings field that holds another project model (openbb_core's
``system.api_settings.cors.allow_origins``): the nested model's default counts."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .config import settings

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=settings.cors.allow_origins)
app.add_middleware(CORSMiddleware, allow_origins=settings.required_cors.allow_origins)
app.add_middleware(
    CORSMiddleware, allow_origins=settings.api.cors.allow_origins, allow_credentials=True
)


def create_app() -> FastAPI:
    cors = settings.cors
    inner = FastAPI()
    inner.add_middleware(CORSMiddleware, allow_origins=cors.allow_origins)
    return inner


# not reported: the default is set, may be None, is not a project model, or has no wildcard
app.add_middleware(CORSMiddleware, allow_origins=settings.configured.allow_origins)
app.add_middleware(CORSMiddleware, allow_origins=settings.optional.allow_origins)
app.add_middleware(CORSMiddleware, allow_origins=settings.vendored.allow_origins)
app.add_middleware(CORSMiddleware, allow_origins=settings.listed.allow_origins)
app.add_middleware(CORSMiddleware, allow_origins=settings.api.listed.allow_origins)
