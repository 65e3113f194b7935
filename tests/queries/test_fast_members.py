"""The hub expansion of :meth:`HopCandidates.in_candidates` from per-hub member pairs (``fast_members``) against the
reference loop over the members' rows (``fast_members = False``): the same entries (node, edge data, order key) in
the same order for every role, the same MFA lists and hub indexes, on generated organizations of every profile and
random ones; and the same ``who_can_reach`` answers and hop questions in the same order in a session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.queries.engines import compare_engines, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.candidates import HopCandidates


def _entries(listed: Any) -> list[tuple[Any, ...]]:
    return [(node, dict(data), *rest) for node, data, *rest in listed]


def _compare_lists(tg: TrustGraph) -> int:
    """Every role's in-candidates, MFA in-candidates and every hub's index from a fast and a reference object on
    the same graph; returns how many entries came from hubs (the comparison must cover them)."""
    G = tg.graph
    fast = HopCandidates(G, tg.engine.caller)
    slow = HopCandidates(G, tg.engine.caller)
    slow.fast_members = False
    roles = [n for n, d in G.nodes(data=True) if d["kind"] == "role"]
    via_hub = 0
    for role in roles:
        new, old = fast.in_candidates(role), slow.in_candidates(role)
        assert _entries(new) == _entries(old), role
        via_hub += sum(1 for _, data, _ in new if data.get("via_hub"))
        # each hub entry's data is the object the hub's target list holds (shared, not a copy)
        for node, data, (h, j) in new:
            if h:
                hub = fast.own_edges(node)[1][h - 1]
                assert fast.hub_targets(hub)[j][1] is data
        assert _entries(fast.mfa_in_candidates(role)) == _entries(slow.mfa_in_candidates(role)), role
        for users_count in (False, True):
            assert fast.mfa_session_possible(role, users_count) == slow.mfa_session_possible(role, users_count)
    hubs = [n for n, d in G.nodes(data=True) if d["kind"] == "principals"]
    for hub in hubs:
        a, b = fast._hub_index(hub), slow._hub_index(hub)
        assert list(a) == list(b)
        assert {k: [(j, dict(d)) for j, d in v] for k, v in a.items()} == \
            {k: [(j, dict(d)) for j, d in v] for k, v in b.items()}
        assert fast._member_groups(hub) == slow._member_groups(hub)
        # an edge's entries found from the block offsets are those of the index of every entry
        targets = fast.hub_targets(hub)
        for feeder in fast._feeders(hub):
            offsets = fast._block_offsets(feeder).get(hub)
            assert offsets is not None, (feeder, hub)
            for key, own in fast._own_positions(hub).items():
                assert targets[own][3] == key
                found = [(o + own, fast.hub_targets(feeder)[o + own][1]) for o in offsets]
                assert found == list(fast._hub_index(feeder)[key])
    return via_hub


def _compare_answers(org: str, tg: TrustGraph) -> int:
    """``who_can_reach`` of every role under each of :data:`engines.OPTIONS` by two engines sharing one solver
    session, the fast one first: the same answers field by field and the same hop questions in the same order
    (:func:`engines.compare_engines`); returns how many answers there were."""
    fast, slow = twins(tg)
    slow.engine.candidates.fast_members = False
    return compare_engines(org, {"fast members": fast, "members' rows": slow}, sources=(None,),
                           same_questions=True).answers


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_fast_members_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, profile, 3)
    assert _compare_lists(tg) > 0
    assert _compare_answers(f"{profile} seed 3", tg) > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5, 8])
def test_fast_members_on_random_organizations(seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, "random", seed, 20)
    _compare_lists(tg)
    assert _compare_answers(f"random seed {seed}", tg) > 0


def test_fast_members_on_built_hub_estate() -> None:
    """Hub members and ties (tests/queries/test_reverse.py)."""
    from .test_reverse import _hub_and_ties

    tg = _hub_and_ties()[0]
    assert _compare_lists(tg) > 0
    assert _compare_answers("built hub", tg) > 0
