"""Fixtures for the picture and export tests: a ~200-node synthetic graph and the bundled example organization."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from .synthetic import synthetic_graph

EXAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "example-org"


@pytest.fixture(scope="session")
def big_graph() -> nx.MultiDiGraph:
    return synthetic_graph()


@pytest.fixture(scope="session")
def example_graph() -> nx.MultiDiGraph:
    from trustgraph.graph.build import build_graph
    from trustgraph.ingest.load import load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    estate = load_estate([str(EXAMPLE)])
    zone = zone_from_options(estate, [], str(EXAMPLE / "zone.toml"))
    return build_graph(estate, zone)
