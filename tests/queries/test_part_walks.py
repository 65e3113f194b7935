"""A plain session's hops walked part by part, a part's hops into roles the search has reached dropped for the rest of
the search (``SharedSearches.part_walks``), against its reference (every hop of each state walked,
``Replay.advance``'s own loop): the same searches (states in the same order, parents, paths with their witnesses and
requests, depths, first states, undecided hops), the same moves per expanded state, the same hop questions asked of
the engine in the same order, the same engine memos, and a scan the same findings. Small organizations of several
profiles, with undecided hops too, and the escalation searches' replays advanced a depth at a time (a scan)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.queries.engines import (
    assert_searched_alike,
    same_scans,
    searched_with,
)
from trustgraph.checks.context import ScanContext
from trustgraph.queries.shared import Replay, SharedSearches

ORGS = [("example", 0, 0), ("sample", 0, 0), ("vendor-heavy", 1, 0), ("federation-heavy", 1, 0), ("mix", 1, 0),
        ("chain-heavy", 3, 0), ("random", 1, 0), ("random", 2, 0), ("random", 3, 0), ("random", 5, 0),
        ("vendor-heavy", 1, 3), ("random", 2, 3), ("random", 2, 2)]


@pytest.mark.parametrize(("name", "seed", "undecided"), ORGS)
def test_part_walks_equal_the_reference(name: str, seed: int, undecided: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    fast = searched_with(twin(tg), "part_walks", True, undecided)
    slow = searched_with(twin(tg), "part_walks", False, undecided)
    assert_searched_alike(fast, slow)  # moves, memos, and the same hop questions in the same order


def test_parts_drop_reached_hops(tmp_path: Path) -> None:
    """On the random profile a federated provider's search walks a hub's part for many member states: the part's
    indexes left to walk shrink (the fast path is taken and cuts the walk) and keep every hop into a role not
    reached; the parts of a state, joined, are its hops, in order, with their offsets."""
    tg = small_org("random", 2, tmp_path)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    providers = [m for m in ctx.outsider_members() if m.startswith("federated:")]
    assert providers
    shrunk = 0
    for source in providers:
        replay = Replay(shared, source, ctx.options(), outside_only=True)
        replay.advance()
        visits = replay.outcome.visits
        for part, kept in replay._left.values():
            assert kept == sorted(set(kept))
            # only hops into reached roles are dropped: every hop into a role not reached is still to walk
            assert all(j in kept for j in range(len(part)) if (part[j][0], False) not in visits)
            shrunk += len(kept) < len(part)
    assert shrunk
    for expansion in shared._expansions.values():
        if expansion.parts is not None:
            assert tuple(pair for _, part in expansion.parts for pair in part) == expansion.hops
            assert [offset for offset, _ in expansion.parts] == [
                sum(len(p) for _, p in expansion.parts[:k]) for k in range(len(expansion.parts))]


@pytest.mark.parametrize(("name", "seed"), [("random", 2), ("vendor-heavy", 1), ("mix", 1), ("chain-heavy", 3)])
def test_scans_with_part_walks_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    """Whole scans (the reach checks' searches and privilege-escalation's replays advanced a depth at a time) with the
    switch on and off: the same findings in the same order, witnesses included."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "part_walks"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=6, max_value=10_000), undecided=st.sampled_from([0, 2, 5]))
def test_part_walks_on_random_organizations(seed: int, undecided: int, tmp_path: Path) -> None:
    """Random organizations of the random profile, some hops made undecided: the searches, moves, memos and
    questions are those of the reference."""
    tg = small_org("random", seed, tmp_path / str(seed))
    fast = searched_with(twin(tg), "part_walks", True, undecided)
    slow = searched_with(twin(tg), "part_walks", False, undecided)
    assert fast == slow
