"""The organizations the escalation edges' switches are compared on, and the comparison itself: each test of a switch
builds the fast and the reference :class:`~trustgraph.graph.escalation.Escalations` and asks that they give the same
edges (with their witnesses' calls) and the same refusals, principal by principal."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import trustgraph
from trustgraph.graph.escalation import Escalations
from trustgraph.ingest.load import load_estate

ROOT = Path(__file__).resolve().parents[2]
NOW_MS = 1_796_083_200_000  # 2026-12-01T00:00:00Z: the witnesses' aws:CurrentTime pinned for both objects


def load_org(name: str, tmp_path: Path) -> trustgraph.TrustGraph:
    """``example`` (the bundled one), ``sample`` (the two-account sample), ``privesc`` (the privilege-escalation
    fixtures), or ``PROFILE-SEED``: a 3-account, 30-roles-each organization of that profile, written to ``tmp_path``."""
    if name == "example":
        example = ROOT / "datasets" / "example-org"
        return trustgraph.load(example, zone_file=str(example / "zone.toml"))
    if name == "sample":
        return trustgraph.load(ROOT / "tests" / "data" / "two-account-sample", zone=["111122223333", "o-a1b2c3d4e5"])
    if name == "privesc":
        return trustgraph.TrustGraph(load_estate([ROOT / "tests" / "data" / "privesc"]))
    from trustgraph.synth import synthesize

    profile, seed = name.rsplit("-", 1)
    synthesize(tmp_path, accounts=3, roles_per_account=30, seed=int(seed), profile=profile)
    return trustgraph.load(tmp_path)


def edges_of(esc: Escalations, node: str) -> list[tuple[object, ...]]:
    """``node``'s escalation edges as (source, target, method, calls)."""
    return [(e.source, e.target, e.method, e.calls) for e in esc.edges_from(node)]


def assert_same_edges(fast: Escalations, reference: Escalations, principals: Iterable[str]) -> int:
    """Asserts that ``fast`` and ``reference`` give every principal the same edges and refusals; the edges' number."""
    edges = 0
    for node in principals:
        mine = edges_of(fast, node)
        assert mine == edges_of(reference, node), node
        assert fast.refused(node) == reference.refused(node), node
        edges += len(mine)
    return edges
