"""The carried reverse search's lazy distances (``GraphQueries.lazy_carried``: ``CarriedPaths(lazy=True)`` finds each
source's least distance by bounded searches from its first hops, asking a state's hops into the target before its
other hops and expanding only the states a bound needs) against the reference (``lazy_carried = False``: every
landing's successors expanded level by level): the same answers field by field (sources, verdicts, paths, each hop's
witness request, reasons, approximations), every role asked in turn on one engine under several options, on random
organizations whose policies read carried session tags and on condition-heavy ones. The two engines have solver
sessions of their own: the lazy pass asks fewer hops and in another order, and no answer may depend on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin as twin_of

from tests.queries.engines import compare_engines, roles, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.smt.options import SolverOptions


def _compared(org: str, tg: TrustGraph, solver: SolverOptions | None = None) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of the fast-path options
    (:func:`engines.compare_engines`) by a lazy engine and a reference one, each on its own solver session; returns
    how many answers were reachable, how many sources the lazy pass answered and how many of those at three hops or
    more (the comparison must cover them)."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    lazy, slow = twins(tg, shared=False, solver=solver)
    slow.lazy_carried = False
    assert lazy.lazy_carried
    counts = {"lazy": 0, "far": 0}
    original = CarriedPaths._lazy_first_hop

    def counted(self: CarriedPaths, begins: object, start_states: object, least: int = 0, **kwargs: Any) -> object:
        found = original(self, begins, start_states, least, **kwargs)  # type: ignore[arg-type]
        if found is not None:
            counts["lazy"] += 1
            counts["far"] += self._exact.get(found[1], 0) >= 2
        return found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CarriedPaths, "_lazy_first_hop", counted)
        compared = compare_engines(org, {"lazy": lazy, "levels": slow})
    return {"answers": compared.reachable, **counts}


@pytest.mark.parametrize("seed", [6, 7, 8, 11])
def test_lazy_distances_on_random_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 25))
    assert counts["answers"] > 0 and counts["lazy"] > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_lazy_distances_on_condition_heavy_organizations(seed: int, tmp_path: Path) -> None:
    tg = small_org("condition-heavy", seed, tmp_path)
    counts = _compared(f"condition-heavy seed {seed}", tg)
    assert counts["lazy"] > 0 and counts["far"] > 0


def test_undecided_hops_stay_unknown_with_lazy_distances(tmp_path: Path) -> None:
    """Every hop that reaches z3 times out: the sources that need one are Unknown in both, never dropped."""
    counts = _compared("random seed 6, every solver call Unknown", synthesized(tmp_path, "random", 6, 25),
                       SolverOptions(inject_unknown="timeout (injected)"))
    assert counts["answers"] > 0


def test_lazy_switch_reaches_the_search(tmp_path: Path) -> None:
    """The switch is what the reverse search reads: off, no distance is proved lazily; on, some are."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    tg = synthesized(tmp_path, "random", 6, 25)
    proved: list[int] = []
    original = CarriedPaths._within

    def spy(self: CarriedPaths, state: object, bound: int) -> bool:
        proved.append(bound)
        return original(self, state, bound)  # type: ignore[arg-type]

    CarriedPaths._within = spy  # type: ignore[method-assign]
    try:
        off = twin_of(tg)
        off.lazy_carried = False
        for role in roles(tg):
            off.who_can_reach(role)
        assert not proved
        on = twin_of(tg)
        for role in roles(tg):
            on.who_can_reach(role)
        assert proved
    finally:
        CarriedPaths._within = original  # type: ignore[method-assign]
