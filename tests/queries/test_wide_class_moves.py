"""The hops of a role node's state that is not a plain session (it carries transitive tags or a source identity, or
carries nothing but some hop from it is asked with a carried value) decided in one step
(``SharedSearches.wide_class_moves``: :func:`~trustgraph.queries.classmoves.class_move` with ``plain=False``, the
class's answer or the fixed-value refutation as ``decide`` gives them) against their reference (every such hop through
``SharedSearches.move`` and ``ReachabilityEngine.decide``): the same searches, moves and engine memos (the same keys
in the same order), the engine asked the reference's questions less the hops the one-step path answered, in the same
order, and scans with the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.checks.helpers import switched
from tests.queries.engines import assert_searched_alike, same_scans, searched_with
from trustgraph.api import TrustGraph
from trustgraph.queries import shared as shared_module
from trustgraph.queries.shared import SharedSearches


def _compared(tg: TrustGraph, undecided: int = 0) -> tuple[int, int]:
    """The outsider searches with the switch on and off compared; returns (hops the wide path answered, of those the
    ones refuted)."""
    real = shared_module.class_move
    answered = refuted = 0

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal answered, refuted
        move = real(*args, **kwargs)
        if not kwargs.get("plain", True) and move is not None:
            answered += 1
            refuted += move is shared_module.BLOCKED
        return move

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(shared_module, "class_move", counted)
        fast = searched_with(twin(tg), "wide_class_moves", True, undecided)
    wide = answered
    slow = searched_with(twin(tg), "wide_class_moves", False, undecided)
    assert_searched_alike(fast[:3], slow[:3])
    # the questions the engine was asked: the reference's, in order, less those the one-step path answered
    left = iter(slow[3])
    assert all(any(asked == old for old in left) for asked in fast[3])
    assert len(slow[3]) - len(fast[3]) == wide
    return wide, refuted


@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize(("seed", "some"), [(5, True), (8, False)])
def test_wide_moves_decide_as_the_engine(seed: int, some: bool, rows: bool, tmp_path: Path) -> None:
    """4 accounts of 40 roles of the random profile: seed 5 has non-plain role states whose hops the class answers
    (56 at the time of writing) and whose hops the fixed values refute (1,386), both kinds answered by the one-step
    path and equal to the reference's; seed 8 has none at this size. On the engine's memo rows
    (:func:`~trustgraph.queries.memorows.row_class_move`, ``SharedSearches.memo_rows``) and without."""
    from trustgraph.api import load
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=40, seed=seed, profile="random")
    with switched(SharedSearches, "memo_rows", rows):
        wide, refuted = _compared(load(tmp_path))
    assert (wide > refuted > 0) is some


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("condition-heavy", 1), ("sample", 0), ("random", 2)])
def test_wide_moves_with_undecided_hops(name: str, seed: int, tmp_path: Path) -> None:
    _compared(small_org(name, seed, tmp_path), undecided=3)


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("random", 8), ("condition-heavy", 1), ("sample", 0)])
def test_scans_with_wide_moves_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "wide_class_moves"))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=20, max_value=10_000))
def test_wide_moves_on_random_organizations(seed: int, tmp_path: Path) -> None:
    _compared(small_org("random", seed, tmp_path / str(seed)))
