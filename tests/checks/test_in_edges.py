"""``in_edges_by_source`` (what the per-role checks read of a role's in-edges) equals the edge view it replaces,
``sorted(G.in_edges(role, data=True), key=source)``, edge by edge and in order, on every role of the bundled
example, the two-account sample and small organizations of several profiles; and ``ScanContext.options`` gives the
value ``QueryOptions.make`` makes, field by field."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from tests.small_orgs import small_org
from trustgraph.checks.base import in_edges_by_source
from trustgraph.checks.context import ScanContext
from trustgraph.queries.options import QueryOptions

ORGS = [("example", 0), ("sample", 0), ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 2), ("random", 3)]


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_in_edges_by_source_is_the_sorted_edge_view(name: str, seed: int, tmp_path: Path) -> None:
    G = small_org(name, seed, tmp_path).graph
    seen = 0
    for node in G.nodes:
        reference = [(u, d) for u, _, d in sorted(G.in_edges(node, data=True), key=lambda e: e[0])]
        fast = in_edges_by_source(G, node)
        assert len(fast) == len(reference), node
        for (u, d), (ru, rd) in zip(fast, reference, strict=True):
            assert u == ru and d is rd, node
        seen += len(fast)
    assert seen > 0


@pytest.mark.parametrize("kwargs", [{}, {"via": "all"}, {"without": ("sts:ExternalId",)},
                                    {"not_like": {"aws:MultiFactorAuthPresent": ["true"]}}])
def test_scan_options_are_made_once_and_equal(kwargs: dict[str, object], tmp_path: Path) -> None:
    tg = small_org("example", 0, tmp_path)
    ctx = ScanContext(tg, timeout_ms=1234)
    made = QueryOptions.make(timeout_ms=1234, **kwargs)  # type: ignore[arg-type]
    got = ctx.options(**kwargs)
    assert ctx.options(**kwargs) is got
    for f in fields(QueryOptions):
        assert getattr(got, f.name) == getattr(made, f.name), f.name
    assert got == made and hash(got) == hash(made)
