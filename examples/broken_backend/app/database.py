"""Database access: a pooled engine per process, and the `get_db` dependency."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import settings
from app.core.logger import get_logger

logger = get_logger(__name__)


class DatabaseManager:
    """Owns the engine and session factory; the engine is created on first use."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url or settings.DATABASE_URL
        self._engine: Engine | None = None
        self._session_factory: sessionmaker[Session] | None = None

    def _create_engine(self) -> Engine:
        if settings.ENVIRONMENT == "production":
            # Sized for peak traffic on Cloud SQL.
            return create_engine(self._url, pool_size=50, max_overflow=100, pool_pre_ping=True)
        return create_engine(
            self._url,
            connect_args={"check_same_thread": False},
            echo=settings.LOG_LEVEL.upper() == "DEBUG" and not settings.PRODUCTION,
        )

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
            logger.info("Database engine created for %s", self._engine.url.render_as_string())
        return self._engine

    def session(self) -> Session:
        if self._session_factory is None:
            self._session_factory = sessionmaker(bind=self.engine, autoflush=False)
        return self._session_factory()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._session_factory = None


db_manager = DatabaseManager()


def get_db() -> Iterator[Session]:
    """FastAPI dependency: one session per request, always closed."""
    db = db_manager.session()
    try:
        yield db
    finally:
        db.close()
