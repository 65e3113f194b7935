"""``SharedSearches.base_checks`` (the derived-move test of :meth:`SharedSearches._base_sat` with its per-expansion part
read once and whether a request meets the constraints not tested again for the hop before's request and constraints)
against the reference
(every test per hop): the same searches under the three options a scan asks (states, order, parents, paths with their
witnesses and requests, depths, first states, undecided hops), the same moves per expanded state, the same engine
memos and counters, the same hops taken as derived moves; with undecided hops too, and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import comparable_answer as _norm
from tests.queries.engines import make_undecided, outsider_searches
from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries.shared import Move, SharedSearches, leads_of
from trustgraph.smt.solve import Sat


def _searched(tg: TrustGraph, checked: bool, undecided: int) -> tuple[list[Any], Any, SharedSearches, list[Any]]:
    """Every outsider search of the reach checks under their three options, unconstrained first (as a scan prepares
    them), with ``base_checks`` as given; ``undecided``: the hops into every such role (sorted) are Unknown (0:
    none). Also the hops :meth:`SharedSearches._base_sat` answered, in order."""
    make_undecided(tg, undecided)
    ctx = ScanContext(tg)
    shared = SharedSearches(tg.engine)
    shared.base_checks = checked  # an instance attribute: the class's stays as it is
    taken: list[Any] = []
    real = SharedSearches._base_sat

    def counted(self: SharedSearches, *args: Any) -> Any:
        move = real(self, *args)
        taken.append((args[:4], move is not None))
        return move

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SharedSearches, "_base_sat", counted)
        out = outsider_searches(ctx, shared)
    return out, tg.engine, shared, taken


def _moves(shared: SharedSearches) -> dict[Any, list[Any]]:
    return {key: [m if m is None or isinstance(m, Move) else ("sat", _norm(m)) if isinstance(m, Sat)
                  else [(s, _norm(a), f) for s, a, f in leads_of(m)] for m in expansion.moves]
            for key, expansion in shared._expansions.items()}


def _engine_state(engine: Any) -> tuple[Any, ...]:
    return ({k: _norm(v) for k, v in engine._memo.items()}, {k: _norm(v) for k, v in engine._derived.items()},
            {k: [(c, _norm(v)) for c, v in engine.filed(k)] for k in engine._answers},
            {k: [(s, _norm(v), f) for s, v, f in vs] for k, vs in engine._leads.items()},
            engine.evaluations, engine.shared, engine.solver_calls)


ORGS = [("example", 0, 0), ("sample", 0, 0), ("vendor-heavy", 1, 0), ("vendor-heavy", 3, 0), ("vendor-heavy", 1, 3),
        ("federation-heavy", 1, 0), ("federation-heavy", 2, 2), ("mix", 1, 0), ("chain-heavy", 3, 0),
        ("random", 2, 0), ("random", 5, 3)]


def _compare(name: str, seed: int, undecided: int, tmp_path: Path) -> SharedSearches:
    """The fast and reference searches of one small organization compared; the fast searches' object."""
    tg = small_org(name, seed, tmp_path)
    fast, fast_engine, fast_shared, fast_taken = _searched(twin(tg), True, undecided)
    slow, slow_engine, slow_shared, slow_taken = _searched(twin(tg), False, undecided)
    assert fast == slow
    assert fast_taken == slow_taken
    assert _moves(fast_shared) == _moves(slow_shared)
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    assert slow_shared._meets is None and not slow_shared.meets_reused
    if name == "vendor-heavy" and not undecided:
        assert any(t for _, t in fast_taken)
    return fast_shared


@pytest.mark.parametrize(("name", "seed", "undecided"), ORGS)
def test_base_checks_equal_the_per_hop_tests(name: str, seed: int, undecided: int, tmp_path: Path) -> None:
    """Same searches, moves, engine memos and derived moves with the tests read once as per hop; on the vendor-heavy
    profile the derived moves answer hops, and on its seed 3 (and mix 1) some request's test is answered from the
    memo."""
    shared = _compare(name, seed, undecided, tmp_path)
    if (name, seed, undecided) in {("vendor-heavy", 3, 0), ("mix", 1, 0)}:
        assert shared.meets_reused > 0


def test_a_request_failing_its_constraints_is_not_taken(tmp_path: Path) -> None:
    """A request that does not meet a hop's constraints keeps the hop off the derived path as the reference's
    per-hop test does: on the sample organization the fast path's test answers both ways (and the searches, moves
    and memos are the reference's)."""
    import trustgraph.queries.derived as derived

    seen: list[bool] = []
    real = derived.meets_all

    def recorded(request: Any, constraints: Any) -> bool:
        seen.append(real(request, constraints))
        return seen[-1]

    tg = small_org("sample", 0, tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(derived, "meets_all", recorded)
        fast, _, _, _ = _searched(twin(tg), True, 0)
    assert set(seen) == {True, False}
    slow, _, _, _ = _searched(twin(tg), False, 0)
    assert fast == slow


def _scan(tg: TrustGraph) -> list[dict[str, Any]]:
    return [finding_to_plain(f) for f in run_checks(ScanContext(tg), CHECKS).findings]


@pytest.mark.parametrize(("name", "seed"), [("vendor-heavy", 2), ("federation-heavy", 1), ("random", 2)])
def test_scans_equal_with_the_switch_off(name: str, seed: int, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check's findings, witnesses included, with ``base_checks`` on and off (fresh engines)."""
    tg = small_org(name, seed, tmp_path)
    fast = _scan(twin(tg))
    monkeypatch.setattr(SharedSearches, "base_checks", False)
    slow = _scan(twin(tg))
    assert fast and fast == slow
