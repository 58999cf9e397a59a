"""Distributed tracing setup (exporter configured from the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastapi import FastAPI

from app.core.logger import get_logger

logger = get_logger(__name__)

# Number of setup_tracing() calls in this process.
setup_calls = 0


@dataclass
class TracingConfig:
    service_name: str
    exporter: str
    sample_rate: float


def setup_tracing(app: FastAPI) -> TracingConfig:
    """Attach a tracing configuration to the app; spans are exported by the sidecar."""
    global setup_calls
    setup_calls += 1
    config = TracingConfig(
        service_name=os.getenv("OTEL_SERVICE_NAME", app.title),
        exporter=os.getenv("OTEL_TRACES_EXPORTER", "none"),
        sample_rate=float(os.getenv("OTEL_TRACES_SAMPLER_ARG", "0.1")),
    )
    app.state.tracing = config
    logger.info("Tracing initialized for %s (exporter=%s)", config.service_name, config.exporter)
    return config
