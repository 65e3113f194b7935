"""``SharedSearches.memo_rows`` (a state's hops read and write the engine's memo rows of the state, found once:
``queries.memorows``) against its reference (``class_move`` and ``_base_sat_checked`` per hop, three nested look-ups
per memo). Every outsider search of the reach checks under their three options, on small organizations of several
profiles, with undecided hops too: the same searches (states, order, parents, paths with their witnesses and
requests, depths, first states, undecided hops), the same moves per expanded state, the same engine memos (memoised,
derived and filed answers, kept leads, counters), each memo's entries in the same order; and the same scans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import comparable_answer as _norm
from tests.queries.engines import make_undecided, outsider_searches, same_scans
from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.queries import classmoves, memorows
from trustgraph.queries.shared import Move, SharedSearches, leads_of
from trustgraph.smt.solve import Sat


def _searched(tg: TrustGraph, fast: bool, undecided: int) -> tuple[list[Any], Any, Any, int]:
    """Every outsider search under the three options (unconstrained first, as a scan prepares them) with the switch
    as ``fast`` says; the searches, the moves, the engine's memos (in their order) and the number of hops the rows
    answered."""
    make_undecided(tg, undecided)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    shared.memo_rows = fast  # an instance attribute: the class's stays as it is
    taken = 0
    real_class, real_base = memorows.row_class_move, SharedSearches._base_sat_rows

    def counted_class(*args: Any) -> Any:
        nonlocal taken
        move = real_class(*args)
        taken += move is not None
        return move

    def counted_base(self: SharedSearches, *args: Any) -> Any:
        nonlocal taken
        move = real_base(self, *args)
        taken += move is not None
        return move

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(classmoves, "row_class_move", counted_class)
        mp.setattr(SharedSearches, "_base_sat_rows", counted_base)
        out = outsider_searches(ctx, shared)
    moves = {key: [m if m is None or isinstance(m, Move) else ("sat", _norm(m)) if isinstance(m, Sat)
                   else [(s, _norm(a), f) for s, a, f in leads_of(m)] for m in expansion.moves]
             for key, expansion in shared._expansions.items()}
    engine = tg.engine
    memos = ([(k, _norm(v)) for k, v in engine._memo.items()], [(k, _norm(v)) for k, v in engine._derived.items()],
             [(k, [(c, _norm(v)) for c, v in engine.filed(k)]) for k in engine._answers],
             [(k, [(s, _norm(v), f) for s, v, f in vs]) for k, vs in engine._leads.items()],
             engine.evaluations, engine.shared, engine.solver_calls, len(engine._plain_states))
    return out, moves, memos, taken


ORGS = [("example", 0, 0), ("sample", 0, 0), ("vendor-heavy", 1, 0), ("vendor-heavy", 3, 0),
        ("federation-heavy", 1, 0), ("mix", 1, 0), ("chain-heavy", 3, 0), ("random", 2, 0), ("random", 5, 0),
        ("condition-heavy", 1, 0), ("vendor-heavy", 1, 3), ("random", 2, 3), ("mix", 2, 4)]


@pytest.mark.parametrize(("name", "seed", "undecided"), ORGS)
def test_memo_rows_equal_the_reference(name: str, seed: int, undecided: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    fast = _searched(twin(tg), True, undecided)
    slow = _searched(twin(tg), False, undecided)
    assert slow[3] == 0  # the reference never reads the rows
    assert len(fast[0]) == len(slow[0])
    for new, old in zip(fast[0], slow[0], strict=True):
        assert new == old
    assert fast[1] == slow[1]
    for new_memo, old_memo in zip(fast[2], slow[2], strict=True):
        assert new_memo == old_memo
    if name in ("vendor-heavy", "mix", "random"):  # hub hops answered by class and base moves taken on the rows
        assert fast[3] > 0


def test_memo_rows_off_without_nested_memos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the engine's memos plain dictionaries there are no rows: the reference path answers."""
    from trustgraph.queries.engine import ReachabilityEngine

    monkeypatch.setattr(ReachabilityEngine, "nested_memos", False)
    tg = small_org("vendor-heavy", 1, tmp_path)
    fast = _searched(twin(tg), True, 0)
    slow = _searched(twin(tg), False, 0)
    assert fast[3] == 0
    assert fast[0] == slow[0] and fast[1] == slow[1] and fast[2] == slow[2]


@pytest.mark.parametrize(("name", "seed"), [("vendor-heavy", 2), ("random", 3), ("mix", 1)])
def test_memo_rows_scans_equal_the_reference(name: str, seed: int, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "memo_rows"))
