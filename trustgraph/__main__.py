"""``python -m trustgraph``: the same command line as the ``trustgraph`` console script."""

from __future__ import annotations

from trustgraph.cli.main import run

run()
