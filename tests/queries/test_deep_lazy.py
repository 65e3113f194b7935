"""The carried reverse search's deep lazy pass (``GraphQueries.deep_lazy``: ``CarriedPaths(deep=True)`` bounds its
searches at ``DEEP_BOUND`` hops instead of 6, asks no hop into a role that has no candidate path to the target within
the bound (each role's floor over the closure's candidates), and asks the sources' first hops only as their bounds
need them) against the lazy pass without it (``deep_lazy = False``) and against the levels (``lazy_carried =
False``): the same answers field by field (sources, verdicts, paths, each hop's witness request, reasons,
approximations), every role asked in turn on one engine under several options, on random organizations whose
policies read carried session tags and on condition-heavy ones. Each engine has a solver session of its own: the
deep pass asks fewer hops and in another order, and no answer may depend on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org
from twins import twin as twin_of

from tests.queries.engines import compare_engines, roles, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.smt.options import SolverOptions


def _compared(org: str, tg: TrustGraph, solver: SolverOptions | None = None) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of the fast-path options
    (:func:`engines.compare_engines`) by a deep engine, a lazy one without it and a levels one, each on its own
    solver session; returns how many answers were reachable and how many hops the deep pass skipped by their role's
    floor (the comparison must cover some)."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    deep, shallow, levels = twins(tg, 3, shared=False, solver=solver)
    assert deep.deep_lazy and deep.lazy_carried
    shallow.deep_lazy = False
    levels.lazy_carried = False
    far = [0]
    original = CarriedPaths._floor

    def counted(self: CarriedPaths, role: str) -> int:
        floor = original(self, role)
        far[0] += floor > 1
        return floor

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CarriedPaths, "_floor", counted)
        compared = compare_engines(org, {"deep": deep, "lazy without deep": shallow, "levels": levels})
    return {"answers": compared.reachable, "far": far[0]}


@pytest.mark.parametrize("seed", [6, 7, 8, 11])
def test_deep_lazy_on_random_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 25))
    assert counts["answers"] > 0 and counts["far"] > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_deep_lazy_on_condition_heavy_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"condition-heavy seed {seed}", small_org("condition-heavy", seed, tmp_path))
    assert counts["far"] > 0


def test_undecided_hops_stay_unknown_with_deep_lazy(tmp_path: Path) -> None:
    """Every hop that reaches z3 times out: the sources that need one are Unknown in all three, never dropped."""
    counts = _compared("random seed 6, every solver call Unknown", synthesized(tmp_path, "random", 6, 25),
                       SolverOptions(inject_unknown="timeout (injected)"))
    assert counts["far"] > 0


def test_deep_switch_reaches_the_search(tmp_path: Path) -> None:
    """The switch is what the lazy pass reads: off, no role's floor is read; on, some are."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    tg = synthesized(tmp_path, "random", 6, 25)
    read: list[str] = []
    original = CarriedPaths._role_floors

    def spy(self: CarriedPaths) -> dict[str, int]:
        read.append(self.target)
        return original(self)

    CarriedPaths._role_floors = spy  # type: ignore[method-assign]
    try:
        off = twin_of(tg)
        off.deep_lazy = False
        for role in roles(tg):
            off.who_can_reach(role)
        assert not read
        on = twin_of(tg)
        for role in roles(tg):
            on.who_can_reach(role)
        assert read
    finally:
        CarriedPaths._role_floors = original  # type: ignore[method-assign]
