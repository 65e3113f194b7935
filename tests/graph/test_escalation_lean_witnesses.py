"""Edges found by the direct look-up keeping the shared answer they were found from, their witness built when read
(``Escalations.lean_witnesses``), against the reference that keeps each witness: the same edges, witness by witness
(caller, action, resource, context, decision, approximations), the same hops built from them, and the same refusals,
principal by principal, on the bundled example, the two-account sample, the privilege-escalation fixtures and small
organizations of every profile (random seeds where callers hold ``iam:UpdateAssumeRolePolicy`` on ``role/*``, whose
edges are the lean ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graph.escalation_orgs import NOW_MS, load_org
from trustgraph.graph.escalation import Escalations
from trustgraph.queries.escalate import escalation_hop
from trustgraph.synth.profiles import PROFILES

ORGS = ["example", "sample", "privesc", *(f"{p}-1" for p in PROFILES), *(f"random-{s}" for s in (2, 3, 6))]


def _witnesses(esc: Escalations, node: str) -> list[tuple[object, ...]]:
    return [(e.source, e.target, e.method.id, e.actions, e.approximations,
             [(c.caller, c.action, c.resource, dict(c.context), c.decision, c.approximations) for c in e.calls])
            for e in esc.edges_from(node)]


@pytest.mark.parametrize("name", ORGS)
def test_lean_witnesses_give_the_reference_edges(name: str, tmp_path: Path) -> None:
    tg = load_org(name, tmp_path)
    fast = Escalations(tg.graph, now_ms=NOW_MS)
    reference = Escalations(tg.graph, now_ms=NOW_MS)
    reference.lean_witnesses = False
    assert fast.lean_witnesses
    lean = 0
    for node in sorted([*tg.estate.user_by_arn, *tg.estate.role_by_arn]):
        assert _witnesses(fast, node) == _witnesses(reference, node), node
        assert fast.edges_from(node) == reference.edges_from(node), node
        assert [escalation_hop(e) for e in fast.edges_from(node)] == \
            [escalation_hop(e) for e in reference.edges_from(node)], node
        assert fast.refused(node) == reference.refused(node), node
        lean += sum(1 for e in fast.edges_from(node) if not isinstance(e.witnesses, tuple))
        assert all(isinstance(e.witnesses, tuple) for e in reference.edges_from(node))
    if name == "random-2":  # UpdateAssumeRolePolicy on role/*: edges from the shared answers, kept lean
        assert lean > 0
