"""A hub's parts for several resource shapes and accounts walked as the hub's one list (``SharedSearches.shared_parts``:
a role reached dropped once per search for every part of the hub) against each part walked on its own (the switch
off): the same searches (states in the same order, parents, paths with their witnesses and requests, depths, first
states, undecided hops), the same moves per expanded state, the same hop questions asked of the engine in the same
order, the same engine memos, and a scan the same findings."""

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
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.queries.shared import Replay, SharedSearches


def _org(name: str, seed: int, tmp_path: Path) -> TrustGraph:
    """``small_org``, or for ``random-4x30`` the random profile at 4 accounts x 30 roles (seed 2: a hub's list stands
    for two of its parts, and parts leave some of its hops out)."""
    if name != "random-4x30":
        return small_org(name, seed, tmp_path)
    from trustgraph.synth import synthesize

    folder = tmp_path / f"{name}-{seed}"
    synthesize(folder, accounts=4, roles_per_account=30, seed=seed, profile="random")
    return load(folder)


ORGS = [("example", 0, 0), ("sample", 0, 0), ("vendor-heavy", 1, 0), ("federation-heavy", 1, 0), ("mix", 1, 0),
        ("chain-heavy", 3, 0), ("random", 1, 0), ("random", 2, 0), ("random", 3, 0), ("random", 5, 0),
        ("vendor-heavy", 1, 3), ("random", 2, 3), ("random", 2, 2), ("random-4x30", 2, 0), ("random-4x30", 2, 3),
        ("random-4x30", 7, 2)]


@pytest.mark.parametrize(("name", "seed", "undecided"), ORGS)
def test_shared_parts_equal_the_reference(name: str, seed: int, undecided: int, tmp_path: Path) -> None:
    tg = _org(name, seed, tmp_path)
    fast = searched_with(twin(tg), "shared_parts", True, undecided)
    slow = searched_with(twin(tg), "shared_parts", False, undecided)
    assert_searched_alike(fast, slow)  # moves, memos, and the same hop questions in the same order


def test_parts_walked_as_their_hub(tmp_path: Path) -> None:
    """On the random profile a hub's parts are filed to be walked as the hub's list (the fast path is taken, some
    lists standing for several parts, some parts leaving hops out): each part is the hub's list with the hops of
    index -1 left out, in order; the searches keep every hop of a list into a role not reached to walk."""
    tg = _org("random-4x30", 2, tmp_path)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    providers = [m for m in ctx.outsider_members() if m.startswith("federated:")]
    assert providers
    bases = set()
    for source in providers:
        replay = Replay(shared, source, ctx.options(), outside_only=True)
        replay.advance()
        visits = replay.outcome.visits
        for walked, kept in replay._left.values():
            assert kept == sorted(set(kept))
            assert all(j in kept for j in range(len(walked)) if (walked[j][0], False) not in visits)
    assert shared._part_bases
    several = left_out = 0
    for part, base, local in shared._part_bases.values():
        assert len(local) == len(base) and 2 * len(part) >= len(base)
        assert tuple(base[b] for b in range(len(base)) if local[b] >= 0) == part
        assert [j for j in local if j >= 0] == list(range(len(part)))
        several += id(base) in bases
        left_out += min(local) < 0
        bases.add(id(base))
    assert several and left_out  # some hub's list stands for more than one part; some part leaves hops out


@pytest.mark.parametrize(("name", "seed"), [("random", 2), ("vendor-heavy", 1), ("mix", 1), ("chain-heavy", 3),
                                           ("random-4x30", 2)])
def test_scans_with_shared_parts_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    """Whole scans (the reach checks' searches and privilege-escalation's replays advanced a depth at a time) with the
    switch on and off: the same findings in the same order, witnesses included."""
    same_scans(f"{name} seed {seed}", _org(name, seed, tmp_path), (SharedSearches, "shared_parts"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=6, max_value=10_000), undecided=st.sampled_from([0, 2, 5]))
def test_shared_parts_on_random_organizations(seed: int, undecided: int, tmp_path: Path) -> None:
    """Random organizations of the random profile, some hops made undecided: the searches, moves, memos and
    questions are those of the reference."""
    tg = small_org("random", seed, tmp_path / str(seed))
    fast = searched_with(twin(tg), "shared_parts", True, undecided)
    slow = searched_with(twin(tg), "shared_parts", False, undecided)
    assert fast == slow
