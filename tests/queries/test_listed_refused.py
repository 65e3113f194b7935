"""The listed closure in an estate whose policies read carried values (``GraphQueries.listed_refused``:
``backward_closure(refused=True)`` keeps each role's entry lists there too, a refused hop listed as one that may
reach) against the same closure read row by row (``listed_refused = False``, the reference of such an estate): the
same closures (statuses in the same order, sources, roles examined), the same answers field by field and the same hop
questions asked in the same order, on random and condition-heavy organizations that demand carried values, with
hops forced Unknown, and over two rounds of every role (the second reads the lists the first built)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.queries.engines import OPTIONS, compare_engines, roles, twins, with_unknowns
from tests.queries.helpers import synthesized
from trustgraph.queries.backward import MAYBE, ClosureCache, backward_closure
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.smt.session import SolverSession

#: generated organizations whose policies read carried values (``engine.demand``) and refuse some hops of role
#: sessions, 3 accounts x 20 (12) roles
DEMANDING = [("random", 5, 20), ("random", 8, 20), ("random", 10, 20), ("random", 12, 20), ("condition-heavy", 3, 12)]


def _refused_entries(cache: ClosureCache) -> int:
    """How many entries of ``cache``'s lists are a refused hop (held by the cache as neither Sat nor Unknown)
    listed as MAYBE."""
    found = 0
    for options, per_role in cache.lists.items():
        hops = cache.hops[options]
        for role, entries in per_role.items():
            listed = set(entries or ())
            for u, _, _, _, text, states in cache.role_rows(role):
                for state in states or ():
                    if (state, role, text, ()) in hops and hops[(state, role, text, ())] is None:
                        found += (state, u, MAYBE, None) in listed
    return found


@pytest.mark.parametrize(("profile", "seed", "size"), DEMANDING)
def test_listed_refused_closures_are_the_reference(profile: str, seed: int, size: int, tmp_path: Path) -> None:
    """Every role's closure from every source built with the refused hops listed on one engine equals the one read
    row by row on another (same statuses in the same order, sources, roles examined), both engines in a session
    (closures and hops kept across queries), twice over the roles; the lists hold refused hops, and the engines
    asked the same hop questions in the same order."""
    tg = synthesized(tmp_path, profile, seed, size)
    assert tg.engine.demand
    listed, slow = twins(tg)
    for _ in range(2):
        for options in OPTIONS:
            for target in roles(tg):
                a = backward_closure(listed.engine, target, options, cache=listed._closure_cache(), lean=True,
                                     listed=True, refused=True)
                b = backward_closure(slow.engine, target, options, cache=slow._closure_cache(), lean=True,
                                     listed=True, refused=False)
                assert list(a.status.items()) == list(b.status.items()), target
                assert (a.sources, a.examined) == (b.sources, b.examined), target
    assert list(listed.engine._memo) == list(slow.engine._memo)
    assert not any(slow._closures.lists.values())  # the reference keeps no lists in such an estate
    assert _refused_entries(listed._closures) > 0


@pytest.mark.parametrize(("profile", "seed", "size"), DEMANDING)
def test_listed_refused_answers_are_the_reference(profile: str, seed: int, size: int, tmp_path: Path) -> None:
    """who_can_reach of every role from every source under each option set, with and without the switch, on two
    engines sharing a solver session: the same answers field by field and the same hop questions in order."""
    tg = synthesized(tmp_path, profile, seed, size)
    listed, slow = twins(tg)
    slow.listed_refused = False
    compared = compare_engines(f"{profile} seed {seed}", {"refused listed": listed, "row by row": slow}, rounds=2,
                               same_questions=True)
    assert compared.answers > 0
    assert _refused_entries(listed._closures) > 0


def test_listed_refused_with_undecided_hops(tmp_path: Path) -> None:
    """Hops into every third role Unknown (entries that may reach beside the refused ones), every role asked twice
    in a session: the same answers, some of them Unknown, and the same questions."""
    tg = synthesized(tmp_path, "random", 10, 20)
    chosen = roles(tg)[::3]
    hops = {(u, v) for u, v in tg.graph.edges() if v in chosen}
    session = SolverSession()
    listed, slow = with_unknowns(tg, session, hops), with_unknowns(tg, session, hops)
    slow.listed_refused = False
    compared = compare_engines("random seed 10, hops into every third role Unknown",
                               {"refused listed": listed, "row by row": slow}, options=(QueryOptions.make(),),
                               sources=(None,), rounds=2, same_questions=True)
    assert compared.count(Reach.UNKNOWN) > 0
    assert _refused_entries(listed._closures) > 0


def test_listed_refused_switch_off_keeps_no_lists(tmp_path: Path) -> None:
    """With the switch off an estate demanding carried values keeps no lists (its closures are read row by row, as
    before), with it on the lists of a second round of queries are read (built the second time a role is examined)
    and hold refused hops."""
    tg = synthesized(tmp_path, "random", 5, 20)
    on, off = twins(tg)
    off.listed_refused = False
    built = {"on": 0}
    entries = ClosureCache.entries

    def counted(self: ClosureCache, role: str, hops: Any, refused: bool = False) -> Any:
        built["on"] += refused
        return entries(self, role, hops, refused)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ClosureCache, "entries", counted)
        for _ in range(2):
            for target in roles(tg):
                off.who_can_reach(target)
        assert built["on"] == 0 and not any(off._closures.lists.values())
        for _ in range(2):
            for target in roles(tg):
                on.who_can_reach(target)
    assert built["on"] > 0 and _refused_entries(on._closures) > 0
