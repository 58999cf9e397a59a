"""Generate a deterministic synthetic monorepo of N FastAPI services for benchmarks and tests.

Each service is its own project root (``services/<name>/pyproject.toml`` + an ``app`` package) with
routes, models, schemas, services, middleware and utils modules. Most services carry the defects of
the architecture review at realistic rates; about a quarter are clean, so a run that "fixes" clean
code is visible. The same ``--seed`` and ``--services`` always produce byte-identical trees, so a
benchmark row measured today can be compared with one measured after a change.

Defects seeded (per defective service, each with its own probability):

- about 1 route file in 5 imports ``get_db`` from ``app.db.base``, which does not define it (2.1);
- ``config.py`` calls ``_get_secret`` without defining it (2.1);
- a module-level import cycle between two service modules (2.2);
- ``setup_tracing`` called twice in the lifespan (2.3);
- the same middleware added twice (3.1);
- route modules imported in a ``try/except`` that only logs (5.1);
- ``app.database`` competing with ``app.db.base`` (6.1), production pool sizes (6.2);
- CORS ``allow_origins=["*"]`` with credentials (8);
- extra ``main_*.py`` entry points (1).

    python benchmarks/generate.py OUT --services 40 [--seed 8]
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROUTES_PER_SERVICE = 18
SERVICES_PER_SERVICE = 12
MIDDLEWARE = (
    "SecurityHeadersMiddleware",
    "RequestTrackingMiddleware",
    "RateLimitMiddleware",
    "PerformanceMiddleware",
    "TraceContextMiddleware",
    "CSRFMiddleware",
    "VersioningMiddleware",
)
NOUNS = (
    "account",
    "invoice",
    "order",
    "customer",
    "product",
    "shipment",
    "payment",
    "review",
    "coupon",
    "ticket",
    "story",
    "comment",
    "tag",
    "media",
    "session",
    "report",
    "webhook",
    "audit",
    "plan",
    "team",
    "project",
    "task",
    "message",
    "device",
)


@dataclass
class Defects:
    """Which defect classes one service carries."""

    wrong_get_db_rate: float = 0.0
    undefined_secret: bool = False
    cycle: bool = False
    duplicate_tracing: bool = False
    duplicate_middleware: bool = False
    silent_routes: bool = False
    competing_db: bool = False
    pool_settings: bool = False
    cors_wildcard: bool = False
    extra_mains: list[str] = field(default_factory=list)


def _defects(rng: random.Random) -> Defects:
    if rng.random() < 0.25:  # a clean service
        return Defects()
    return Defects(
        wrong_get_db_rate=0.2,
        undefined_secret=rng.random() < 0.5,
        cycle=rng.random() < 0.4,
        duplicate_tracing=rng.random() < 0.5,
        duplicate_middleware=rng.random() < 0.5,
        silent_routes=rng.random() < 0.6,
        competing_db=rng.random() < 0.5,
        pool_settings=rng.random() < 0.5,
        cors_wildcard=rng.random() < 0.4,
        extra_mains=rng.sample(
            ["main_simple", "main_minimal", "main_incremental"], rng.randint(0, 3)
        ),
    )


def _pyproject(name: str) -> str:
    return f'''[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.10"
dependencies = ["fastapi", "sqlalchemy", "pydantic-settings"]
'''


def _config(d: Defects) -> str:
    secret = (
        '    JWT_SECRET_KEY: str = _get_secret("JWT_SECRET_KEY")\n'
        if d.undefined_secret
        else '    JWT_SECRET_KEY: str = os.environ.get("JWT_SECRET_KEY", "")\n'
    )
    return f'''"""Service settings, read from the environment."""

from __future__ import annotations

import os

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    """Settings for every environment; values come from the environment or .env."""

    ENVIRONMENT: str = os.environ.get("ENVIRONMENT", "development")
    DATABASE_URL: str = "sqlite:///./app.db"
    CORS_ORIGINS: list[str] = ["http://localhost:3000"]
    ENABLE_MONITORING: bool = False
    REDIS_URL: str = "redis://localhost:6379/0"
{secret}    ACCESS_TOKEN_EXPIRE_MINUTES: int = 30
    LOG_LEVEL: str = "INFO"


settings = Settings()
'''


LOGGER = '''"""Structured logging for the service."""

from __future__ import annotations

import logging


def get_logger(name: str) -> logging.Logger:
    """A logger with the service's format, configured once."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger
'''

DB_BASE = '''"""Declarative base and the shared engine."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

from app.core.config import settings

Base = declarative_base()
engine = create_engine(settings.DATABASE_URL, pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)
'''


def _database(d: Defects) -> str:
    pool = (
        "pool_size=50, max_overflow=100, pool_pre_ping=True"
        if d.pool_settings
        else "pool_size=5, max_overflow=10, pool_pre_ping=True"
    )
    return f'''"""Database access: the pooled engine and the ``get_db`` dependency."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import settings

engine = create_engine(settings.DATABASE_URL, {pool})
SessionLocal = sessionmaker(bind=engine, autocommit=False, autoflush=False)


def get_db() -> Iterator[Session]:
    """One session per request, closed afterwards."""
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
'''


def _route(noun: str, wrong: bool, rng: random.Random) -> str:
    source = "app.db.base" if wrong else "app.database"
    schema = noun.capitalize()
    handlers = []
    for verb in rng.sample(
        ["list", "get", "create", "update", "delete", "search", "export", "count", "archive"], 7
    ):
        handlers.append(
            f'''

@router.get("/{verb}")
def {verb}_{noun}(
    limit: int = 50,
    offset: int = 0,
    db: Session = Depends(get_db),
) -> list[{schema}Out]:
    """{verb.capitalize()} {noun} records visible to the caller."""
    query = db.query({schema}).order_by({schema}.id)
    if offset:
        query = query.offset(offset)
    if limit <= 0:
        raise HTTPException(status_code=422, detail="limit must be positive")
    rows = query.limit(min(limit, 500)).all()
    if not rows and offset:
        logger.debug("{verb} {noun}: offset %d past the end", offset)
    logger.info("{verb} {noun}: %d rows", len(rows))
    return [{schema}Out.model_validate(row) for row in rows]'''
        )
    return f'''"""HTTP endpoints for {noun} records."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from {source} import get_db
from app.core.logger import get_logger
from app.models.{noun} import {schema}
from app.schemas.{noun} import {schema}Out

logger = get_logger(__name__)
router = APIRouter()
{"".join(handlers)}


def _not_found(item_id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{noun} {{item_id}} not found")
'''


def _model(noun: str, rng: random.Random) -> str:
    schema = noun.capitalize()
    columns = "\n".join(
        f"    {col} = Column({kind}, nullable={rng.choice(['True', 'False'])})"
        for col, kind in rng.sample(
            [
                ("name", "String(200)"),
                ("status", "String(32)"),
                ("amount", "Integer"),
                ("created_at", "DateTime"),
                ("updated_at", "DateTime"),
                ("owner_id", "Integer"),
                ("note", "Text"),
                ("external_ref", "String(64)"),
                ("priority", "Integer"),
            ],
            7,
        )
    )
    return f'''"""The {noun} table."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from app.db.base import Base


class {schema}(Base):
    """A {noun} row."""

    __tablename__ = "{noun}s"

    id = Column(Integer, primary_key=True, index=True)
{columns}

    def __repr__(self) -> str:
        return f"<{schema} id={{self.id}}>"

    def to_dict(self) -> dict[str, object]:
        return {{c.name: getattr(self, c.name) for c in self.__table__.columns}}

    @property
    def is_active(self) -> bool:
        return getattr(self, "status", "active") == "active"

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> {schema}:
        known = {{c.name for c in cls.__table__.columns}}
        return cls(**{{k: v for k, v in data.items() if k in known}})
'''


def _schema(noun: str) -> str:
    schema = noun.capitalize()
    return f'''"""Request and response bodies for {noun} endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class {schema}Base(BaseModel):
    name: str = Field(..., max_length=200)
    status: str = "active"
    note: str | None = None


class {schema}In({schema}Base):
    """What a client sends to create a {noun}."""


class {schema}Out({schema}Base):
    """What the API returns."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime | None = None


class {schema}Update(BaseModel):
    """A partial update: only the fields sent are changed."""

    name: str | None = Field(None, max_length=200)
    status: str | None = None
    note: str | None = None


class {schema}Page(BaseModel):
    """One page of results."""

    items: list[{schema}Out]
    total: int
    offset: int = 0
    limit: int = 50
'''


def _service(noun: str, partner: str | None, rng: random.Random) -> str:
    schema = noun.capitalize()
    cycle = f"from app.services import {partner}_service\n" if partner else ""
    uses = f"\n        {partner}_service.{partner.upper()}_CACHE.clear()" if partner else ""
    methods = []
    for i in range(rng.randint(8, 11)):
        methods.append(
            f'''
    def step_{i}(self, items: list[dict[str, object]]) -> list[dict[str, object]]:
        """Batch step {i}: normalise and filter {noun} items."""
        out = []
        for item in items:
            if item.get("status") == "deleted":
                continue
            if not item.get("name"):
                logger.warning("{noun} without a name skipped")
                continue
            item = {{**item, "step": {i}}}
            out.append(item)
        self.processed += len(out)
        return out
'''
        )
    return f'''"""Business logic for {noun} records."""

from __future__ import annotations

from app.core.logger import get_logger
from app.models.{noun} import {schema}
{cycle}
logger = get_logger(__name__)
{noun.upper()}_CACHE: dict[int, {schema}] = {{}}


class {schema}Service:
    """Loads, validates and stores {noun} records."""

    def __init__(self) -> None:
        self.processed = 0

    def reset(self) -> None:
        {noun.upper()}_CACHE.clear(){uses}
{"".join(methods)}

{noun}_service = {schema}Service()
'''


def _middleware(name: str) -> str:
    return f'''"""{name}: request/response hooks."""

from __future__ import annotations

import time

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response


class {name}(BaseHTTPMiddleware):
    """Adds its headers and timings to every response."""

    async def dispatch(self, request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["X-{name}"] = f"{{time.perf_counter() - start:.4f}}"
        return response
'''


TRACING = '''"""Distributed tracing set-up."""

from __future__ import annotations

from fastapi import FastAPI

from app.core.logger import get_logger

logger = get_logger(__name__)
_initialised = False


def setup_tracing(app: FastAPI) -> None:
    """Install the tracing exporter (must run once)."""
    global _initialised
    _initialised = True
    logger.info("tracing configured for %s", app.title)
'''

UTIL = '''"""Small helpers shared by the service ({name})."""

from __future__ import annotations

import hashlib
import re

_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chunks(items: list[object], size: int) -> list[list[object]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
'''


def _main(nouns: list[str], d: Defects, variant: str) -> str:
    mws = list(MIDDLEWARE)
    imports = "\n".join(f"from app.middleware.{m.lower()} import {m}" for m in mws)
    adds = [f"app.add_middleware({m})" for m in mws]
    if d.duplicate_middleware and variant == "main":
        adds.insert(4, adds[3])
    origins = '["*"]' if d.cors_wildcard else "settings.CORS_ORIGINS"
    cors = f"""app.add_middleware(
    CORSMiddleware,
    allow_origins={origins},
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)"""
    tracing_again = "\n    setup_tracing(app)" if d.duplicate_tracing and variant == "main" else ""
    route_list = ",\n".join(f'    ("app.api.routes.{n}", "/api/v1/{n}s")' for n in nouns)
    if d.silent_routes:
        routes = f"""ROUTE_MODULES = [
{route_list},
]

for module_name, prefix in ROUTE_MODULES:
    try:
        module = importlib.import_module(module_name)
        app.include_router(module.router, prefix=prefix)
    except Exception as exc:
        logger.warning(f"Failed to load {{module_name}}: {{exc}}")
        continue
"""
    else:
        names = ", ".join(nouns)
        routes = f"from app.api.routes import {names}  # noqa: E402\n\n" + "\n".join(
            f'app.include_router({n}.router, prefix="/api/v1/{n}s")' for n in nouns
        )
    return f'''"""Entry point ({variant})."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.core.config import settings
from app.core.logger import get_logger
{imports}
from app.services.tracing import setup_tracing

logger = get_logger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start background services, then stop them."""
    setup_tracing(app)
    logger.info("starting (%s)", settings.ENVIRONMENT){tracing_again}
    yield
    logger.info("stopped")


app = FastAPI(title="{variant}", lifespan=lifespan)

{cors}
{chr(10).join(adds)}

{routes}
'''


def generate_service(root: Path, index: int, seed: int) -> int:
    """Write one service under ``root``; returns the number of files written."""
    rng = random.Random(f"{seed}-{index}")
    d = _defects(rng)
    name = f"svc_{index:03d}"
    svc = root / name
    nouns = rng.sample(NOUNS, ROUTES_PER_SERVICE)
    files: dict[str, str] = {"pyproject.toml": _pyproject(name)}
    for pkg in (
        "app",
        "app/core",
        "app/db",
        "app/api",
        "app/api/routes",
        "app/models",
        "app/schemas",
        "app/services",
        "app/middleware",
        "app/utils",
    ):
        files[f"{pkg}/__init__.py"] = ""
    files["app/core/config.py"] = _config(d)
    files["app/core/logger.py"] = LOGGER
    files["app/db/base.py"] = DB_BASE
    files["app/database.py"] = _database(d)
    if d.competing_db:
        files["app/db/session.py"] = _database(d).replace(
            "Database access", "Legacy database access"
        )
    for noun in nouns:
        files[f"app/api/routes/{noun}.py"] = _route(noun, rng.random() < d.wrong_get_db_rate, rng)
        files[f"app/models/{noun}.py"] = _model(noun, rng)
        files[f"app/schemas/{noun}.py"] = _schema(noun)
    service_nouns = nouns[:SERVICES_PER_SERVICE]
    for i, noun in enumerate(service_nouns):
        partner = None
        if d.cycle and i < 2:
            partner = service_nouns[1 - i]
        files[f"app/services/{noun}_service.py"] = _service(noun, partner, rng)
    files["app/services/tracing.py"] = TRACING
    for mw in MIDDLEWARE:
        files[f"app/middleware/{mw.lower()}.py"] = _middleware(mw)
    for util in ("text", "hashing", "paging"):
        files[f"app/utils/{util}.py"] = UTIL.format(name=util)
    files["app/main.py"] = _main(nouns, d, "main")
    for variant in sorted(d.extra_mains):
        files[f"app/{variant}.py"] = _main(nouns[: len(nouns) // 2], d, variant)
    for rel, text in files.items():
        path = svc / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def generate(out: Path, services: int, seed: int = 8) -> list[Path]:
    """Write ``services`` services under ``out/services``; returns the service roots, sorted."""
    base = out / "services"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    for i in range(services):
        generate_service(base, i, seed)
    return sorted(p for p in base.iterdir() if p.is_dir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    roots = generate(args.out, args.services, args.seed)
    files = [p for r in roots for p in r.rglob("*.py")]
    lines = sum(p.read_text().count("\n") for p in files)
    print(f"{len(roots)} services, {len(files)} Python files, {lines} lines under {args.out}")


if __name__ == "__main__":
    main()
