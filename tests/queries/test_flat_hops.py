"""The carried reverse search's joined successor lists (``GraphQueries.flat_hops``: ``CarriedPaths(flat=True)`` keeps
each state's successors joined over the closure's candidate list for the engine's life and reads them whole when a
later query's closure lists the same candidates) against the reference (``flat_hops = False``: joined candidate by
candidate in every query): the same answers field by field and the same hop questions asked in the same order (each
engine's memos of decided hops, in insertion order), every role asked in turn on one engine (the sequence in which
the kept lists are read), on random organizations whose policies read carried session tags."""

from __future__ import annotations

from pathlib import Path

import pytest
from twins import twin as twin_of

from tests.queries.engines import compare_engines, roles, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph


def _compared(org: str, tg: TrustGraph) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of the fast-path options by two engines
    that share one solver session, the flat one first, and the same hop questions asked in the same order
    (:func:`engines.compare_engines`); returns how many answers were reachable and how many kept lists were read
    whole (the comparison must cover them)."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    flat, slow = twins(tg)
    slow.flat_hops = False
    read = [0]
    original = CarriedPaths._all_hops

    def counted(self: CarriedPaths, state: object, depth: int, extra: tuple[object, ...]) -> object:
        before = self._flat.get(state) if self._flat is not None else None  # type: ignore[call-overload]
        out = original(self, state, depth, extra)  # type: ignore[arg-type]
        if before is not None and self._flat is not None and self._flat.get(state) is before:  # type: ignore[call-overload]
            read[0] += 1
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CarriedPaths, "_all_hops", counted)
        compared = compare_engines(org, {"flat": flat, "joined per query": slow}, same_questions=True)
    return {"answers": compared.reachable, "read": read[0]}


@pytest.mark.parametrize("seed", [6, 7, 8, 11])
def test_flat_hops_on_random_organizations(seed: int, tmp_path: Path) -> None:
    counts = _compared(f"random seed {seed}", synthesized(tmp_path, "random", seed, 25))
    assert counts["answers"] > 0 and counts["read"] > 0


def test_flat_hops_switch_reaches_the_search(tmp_path: Path) -> None:
    """The switch is what the reverse search reads: off, no list is kept; on, lists are kept. Without the deep lazy
    pass (``deep_lazy``), which asks a state's hops into the roles near enough alone and so keeps no whole list on an
    organization this small: the levels and the lazy pass without it expand states whole."""
    tg = synthesized(tmp_path, "random", 6, 25)
    off, on = twin_of(tg), twin_of(tg)
    off.flat_hops = False
    off.deep_lazy = on.deep_lazy = False
    for role in roles(tg):
        off.who_can_reach(role)
        on.who_can_reach(role)
    assert not any(off._landings["carried"]._flat_by_options.values())
    assert any(on._landings["carried"]._flat_by_options.values())
