"""``SharedSearches.state_tables`` (a state's expansion past the source found in a table per options keyed by the
state) against its reference (the four-part key of ``SharedSearches._expansions``). Every outsider search of the
reach checks under their three options, on small organizations of several profiles, with undecided hops too: the same
searches (states, order, parents, paths with their witnesses and requests, depths, first states, undecided hops), the
same moves per expanded state, the same engine memos (memoised, derived and filed answers, kept leads, counters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import (
    assert_searched_alike,
    comparable_memos,
    comparable_moves,
    make_undecided,
    outsider_searches,
)
from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.queries.shared import SharedSearches


def _searched(tg: TrustGraph, fast: bool, undecided: int) -> tuple[list[Any], Any, Any, int]:
    """Every outsider search under the three options (unconstrained first, as a scan prepares them) with the switch
    as ``fast`` says; the searches, the moves, the engine's memos and the number of base moves taken."""
    make_undecided(tg, undecided)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    shared.state_tables = fast  # an instance attribute: the class's stays as it is
    taken = 0
    real = SharedSearches._base_sat

    def counted(self: SharedSearches, *args: Any) -> Any:
        nonlocal taken
        move = real(self, *args)
        taken += move is not None
        return move

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SharedSearches, "_base_sat", counted)
        out = outsider_searches(ctx, shared)
    moves = comparable_moves(shared)
    engine = tg.engine
    memos = comparable_memos(engine)
    return out, moves, memos, taken


ORGS = [("example", 0, 0), ("sample", 0, 0), ("vendor-heavy", 1, 0), ("vendor-heavy", 3, 0),
        ("federation-heavy", 1, 0), ("mix", 1, 0), ("chain-heavy", 3, 0), ("random", 2, 0), ("random", 5, 0),
        ("vendor-heavy", 1, 3), ("random", 2, 3)]


@pytest.mark.parametrize(("name", "seed", "undecided"), ORGS)
def test_state_tables_equal_the_reference(name: str, seed: int, undecided: int,
                                                        tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    fast = _searched(twin(tg), True, undecided)
    slow = _searched(twin(tg), False, undecided)
    assert_searched_alike(fast, slow)
    if name == "vendor-heavy":  # the derived searches take base moves (their expansions linked through the tables)
        assert fast[3] > 0

