"""The no-ExternalId and no-MFA searches' hops read off the unconstrained search's (``SharedSearches.derived_moves``:
a Sat move there whose answer the engine would derive is the move) against the reference (every such hop decided
through the engine): the same searches (states, order, parents, paths with their witnesses and requests, depths,
first states, undecided hops), the same moves per expanded state, the same engine memos (memoised, derived and filed
answers, kept leads, counters), and a scan the same findings; with undecided hops too."""

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
from trustgraph.queries.shared import Move, SharedSearches, leads_of
from trustgraph.smt.solve import Sat


def _moves(shared: SharedSearches) -> dict[Any, list[Any]]:
    """Each expanded state's decided moves as comparable values (a Sat move as its answer)."""
    return {key: [m if m is None or isinstance(m, Move) else ("sat", _norm(m)) if isinstance(m, Sat)
                  else [(s, _norm(a), f) for s, a, f in leads_of(m)] for m in expansion.moves]
            for key, expansion in shared._expansions.items()}


def _searched(tg: TrustGraph, derived: bool, undecided: int = 0) -> tuple[list[Any], Any, SharedSearches]:
    """Every outsider search of the reach checks under their three options (unconstrained first, as a scan
    prepares them), with ``derived_moves`` as given; ``undecided``: the hops into every such role (sorted) are
    Unknown in the engine (0: none)."""
    make_undecided(tg, undecided)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    shared.derived_moves = derived
    out = outsider_searches(ctx, shared, evidence=True)
    return out, tg.engine, shared


def _engine_state(engine: Any) -> tuple[Any, ...]:
    """What later questions read of the engine (memoised, derived and filed answers in order, kept leads) and the
    counters of hops evaluated, derived and sent to the solver."""
    return ({k: _norm(v) for k, v in engine._memo.items()}, {k: _norm(v) for k, v in engine._derived.items()},
            {k: [(c, _norm(v)) for c, v in engine.filed(k)] for k in engine._answers},
            {k: [(s, _norm(v), f) for s, v, f in vs] for k, vs in engine._leads.items()},
            engine.evaluations, engine.shared, engine.solver_calls)


def _compare(tg: TrustGraph, undecided: int = 0) -> int:
    """Fast and reference searches equal; the number of hops the fast path answered."""
    answered = 0
    real = SharedSearches._base_sat

    def counted(self: SharedSearches, *args: Any) -> Any:
        nonlocal answered
        move = real(self, *args)
        answered += move is not None
        return move

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SharedSearches, "_base_sat", counted)
        fast, fast_engine, fast_shared = _searched(twin(tg), True, undecided)
    slow, slow_engine, slow_shared = _searched(twin(tg), False, undecided)
    assert len(fast) == len(slow)
    for new, old in zip(fast, slow, strict=True):
        assert new == old
    assert _moves(fast_shared) == _moves(slow_shared)
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    assert all(key[2].without or key[2].not_like for key, e in fast_shared._expansions.items() if e.base is not None)
    return answered


ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("vendor-heavy", 3), ("federation-heavy", 1),
        ("federation-heavy", 2), ("mix", 1), ("chain-heavy", 3), ("random", 2), ("random", 5)]


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_derived_moves_equal_the_engine_path(name: str, seed: int, tmp_path: Path) -> None:
    """Same searches, moves and engine memos with the hops read off the unconstrained search as through the engine;
    on the vendor-heavy profile the fast path answers hops."""
    answered = _compare(small_org(name, seed, tmp_path))
    if name == "vendor-heavy":
        assert answered > 0


@pytest.mark.parametrize(("name", "seed", "every"), [("vendor-heavy", 1, 3), ("federation-heavy", 1, 2),
                                                     ("random", 2, 3), ("example", 0, 2)])
def test_derived_moves_with_undecided_hops(name: str, seed: int, every: int, tmp_path: Path) -> None:
    """With hops made undecided in the engine: an Unknown hop of the unconstrained search is decided again under
    the stricter options (never read as blocked), and the searches stay the reference's."""
    _compare(small_org(name, seed, tmp_path), undecided=every)


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("vendor-heavy", 2),
                                            ("federation-heavy", 1), ("random", 2)])
def test_scans_equal_with_the_switch_off(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with ``derived_moves`` on and off (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "derived_moves"))
