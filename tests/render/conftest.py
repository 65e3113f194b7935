"""The ``report`` fixture: the hand-built scan report every format is rendered from."""

from __future__ import annotations

import pytest

from trustgraph.render.report import ScanReport

from .fixtures import make_report


@pytest.fixture
def report() -> ScanReport:
    """A report with hostile strings, an unknown, an approximate and a suppressed finding."""
    return make_report()
