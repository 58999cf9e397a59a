"""Shared test setup: make tests/ importable (golden_cases) and keep the tree clean."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Tests that import example code in subprocesses must not leave __pycache__ in the repo.
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
