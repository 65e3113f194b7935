"""The carried reverse search's local misses (``GraphQueries.local_misses``, ``CarriedPaths(local=True)``): a source
the bounded searches find no landing for within ``LAZY_BOUND`` is walked over the states reachable from its own
landings, and missing (neither the target nor an undecided hop reachable) is answered without the deepest bound or
the levels over every source's landings; against the reference (``local_misses = False``): the same answers field
by field (sources, verdicts, paths, each hop's witness request, reasons), every role asked in turn on one engine under
several options, on random organizations whose policies read carried values, with undecided hops in some roles or
every solver call timing out (a source that reaches an undecided hop stays listed Unknown, never dropped). Each
engine has a solver session of its own (the walk asks other hops, in another order: no answer may depend on it).
Each comparison counts the sources the walk found missing, so one that never exercises it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.queries.engines import compare_engines, make_undecided, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.results import Reach
from trustgraph.smt.options import SolverOptions


def _compared(org: str, tg: TrustGraph, solver: SolverOptions | None = None, every: int = 0) -> dict[str, int]:
    """``tg`` asked by an engine with the local misses and one without (each on its own session); returns how many
    answers were reachable and Unknown, and how many walks found a source missing (with ``local`` only)."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    local, reference = twins(tg, 2, shared=False, solver=solver)
    assert local.local_misses
    reference.local_misses = False
    for each in (local, reference):
        make_undecided(each, every)
    missed = [0]
    original = CarriedPaths._walk

    def counted(self: CarriedPaths, starts: tuple[str, ...]) -> bool:
        assert self.engine is local.engine, "the switch off must never walk"
        found = original(self, starts)
        missed[0] += found
        return found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CarriedPaths, "_walk", counted)
        compared = compare_engines(org, {"local misses": local, "levels": reference})
    return {"answers": compared.reachable, "unknown": compared.verdicts[Reach.UNKNOWN], "missed": missed[0]}


@pytest.mark.parametrize("seed", [6, 7, 8, 11])
def test_local_misses_on_random_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 25))
    assert counts["answers"] > 0 and counts["missed"] > 0, counts


def test_undecided_hops_stay_unknown_with_local_misses(tmp_path: Path) -> None:
    """The hops into every 5th role are Unknown in both: a source that reaches one is listed Unknown by both."""
    counts = _compared("random seed 6, hops into every 5th role Unknown", synthesized(tmp_path, "random", 6, 25),
                       every=5)
    assert counts["unknown"] > 0 and counts["missed"] > 0, counts


def test_every_solver_call_unknown_with_local_misses(tmp_path: Path) -> None:
    counts = _compared("random seed 6, every solver call Unknown", synthesized(tmp_path, "random", 6, 25),
                       SolverOptions(inject_unknown="timeout (injected)"))
    assert counts["unknown"] > 0, counts
