"""Shared fixtures for ingestion tests: paths to the project's own test data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "two-account-sample"


@pytest.fixture
def sample_dir() -> Path:
    """The two-account sample (copied from the design folder into tests/data)."""
    return SAMPLE
