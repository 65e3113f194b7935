"""The methods' actions a policy may allow, remembered on the policy as a fact of its content
(``Escalations.actions_on_policy``), against the reference keyed by the policy's canonical text: the same edges with
their witnesses and the same refusals, principal by principal, on the bundled example, the two-account sample, the
privilege-escalation fixtures and small organizations of every profile; and the fast path builds no canonical text
for the policies it reads (what it is for), where the reference builds one for each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graph.escalation_orgs import NOW_MS, assert_same_edges, load_org
from trustgraph.graph.escalation import Escalations
from trustgraph.synth.profiles import PROFILES

ORGS = ["example", "sample", "privesc", *(f"{p}-1" for p in PROFILES), *(f"random-{s}" for s in (2, 3))]


@pytest.mark.parametrize("name", ORGS)
def test_policy_facts_give_the_reference_edges_and_refusals(name: str, tmp_path: Path) -> None:
    fast_tg = load_org(name, tmp_path / "fast")
    reference_tg = load_org(name, tmp_path / "reference")  # its own policies: the fast path's facts are not shared
    fast = Escalations(fast_tg.graph, now_ms=NOW_MS)
    reference = Escalations(reference_tg.graph, now_ms=NOW_MS)
    reference.actions_on_policy = False
    assert fast.actions_on_policy
    principals = sorted([*fast_tg.estate.user_by_arn, *fast_tg.estate.role_by_arn])
    assert principals == sorted([*reference_tg.estate.user_by_arn, *reference_tg.estate.role_by_arn])
    edges = assert_same_edges(fast, reference, principals)
    if name in ("privesc", "random-2"):
        assert edges > 0
    assert reference._actions and not fast._actions  # the reference's table keyed by texts; the fast path's none


def _read_methods(esc: Escalations, principals: list[str]) -> list[tuple[object, ...]]:
    """Which methods each principal's identity policies may allow (the early return of ``_compute``)."""
    from trustgraph.graph.admin import effective_identity

    out = []
    for node in principals:
        kind, policies = effective_identity(esc.estate, node)
        out.append(esc._methods_for(kind, policies))
    return out


def test_no_canonical_text_is_built_for_the_policies_read(tmp_path: Path) -> None:
    from trustgraph.graph.admin import effective_identity

    tg = load_org("random-2", tmp_path)
    principals = sorted([*tg.estate.user_by_arn, *tg.estate.role_by_arn])
    policies = [p for node in principals for p in effective_identity(tg.estate, node)[1]]
    fresh = [p for p in policies if p._canonical is None]
    assert fresh
    fast = Escalations(tg.graph, now_ms=NOW_MS)
    methods = _read_methods(fast, principals)
    assert any(methods)
    assert all(p._canonical is None for p in fresh)
    reference = Escalations(tg.graph, now_ms=NOW_MS)
    reference.actions_on_policy = False
    assert _read_methods(reference, principals) == methods
    assert all(isinstance(p._canonical, str) for p in fresh)
