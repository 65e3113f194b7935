"""The listed closure and distance pass (``GraphQueries.listed_hops``: ``backward_closure(listed=True)`` and
``ReversePaths(listed=True)`` read each role's decided hops as entry lists kept across queries) against the lean pass
without them (``listed_hops = False``): the same answers field by field, the same closures (statuses in the same
order, sources, roles examined), the same distances and the same hop questions asked in the same order, on generated
organizations of every profile, random organizations, built estates and, as a property, random organizations of any
seed. Queries are asked in a session (one engine, one closure cache), so that the lists of later queries are read
after earlier ones decided more hops (entries built again after a hop was asked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.queries.engines import OPTIONS, compare_engines, roles, twins, with_unknowns
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.queries.backward import ClosureCache
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.queries.reverse import ReversePaths
from trustgraph.smt.session import SolverSession


def _compared(org: str, tg: TrustGraph) -> dict[str, int]:
    """Every role asked ``who_can_reach`` (and from ``external``) under each of :data:`engines.OPTIONS` by two
    engines that share one solver session, the listed one first, and the same hop questions asked in the same order
    (:func:`engines.compare_engines`: every field, the notes included); returns how many answers there were and how
    many entry lists the closures and the distance passes built (the comparison must cover them)."""
    counts = {"closure lists": 0, "distance lists": 0}
    entries, into_entries = ClosureCache.entries, ReversePaths._into_entries

    def counted_entries(self: ClosureCache, role: str, hops: Any, refused: bool = False) -> Any:
        counts["closure lists"] += 1
        return entries(self, role, hops, refused)

    def counted_into(self: ReversePaths, role: str, into: Any) -> Any:
        counts["distance lists"] += 1
        return into_entries(self, role, into)

    listed, slow = twins(tg)
    slow.listed_hops = False
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ClosureCache, "entries", counted_entries)
        mp.setattr(ReversePaths, "_into_entries", counted_into)
        compared = compare_engines(org, {"listed": listed, "lean without lists": slow}, same_questions=True)
    return {"answers": compared.answers, **counts}


@pytest.mark.parametrize("profile", ["mix", "chain-heavy", "vendor-heavy", "federation-heavy"])
def test_listed_hops_on_generated_profiles(profile: str, tmp_path: Path) -> None:
    counts = _compared(f"{profile} seed 3", synthesized(tmp_path, profile, 3))
    assert counts["answers"] > 0 and counts["closure lists"] > 0 and counts["distance lists"] > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_listed_hops_on_random_organizations(seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, "random", seed, 20)
    counts = _compared(f"random seed {seed}", tg)
    # an estate whose policies read carried values reads lists with listed_refused only (test_listed_refused.py)
    assert counts["answers"] > 0 and (counts["closure lists"] > 0 or tg.engine.demand)


@pytest.mark.parametrize("shape", ["hub", "mfa", "named", "restricted"])
def test_listed_hops_on_built_estates(shape: str) -> None:
    """Hub members and ties, the other MFA outcome of a first hop, session names agreed on a shared path."""
    from .test_fast_answers import built

    assert _compared(f"built {shape}", built(shape))["answers"] > 0


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("chain-heavy", 3)])
def test_listed_closures_and_distances_are_the_reference(profile: str, seed: int, tmp_path: Path) -> None:
    """Each role's closure from every source built listed on one engine equals the one built lean without lists on
    another (statuses in the same order, sources, roles examined), and so do the distances of the reverse search
    over it (in the same order), closures and hops shared across queries as in a session."""
    from trustgraph.queries.backward import backward_closure

    tg = synthesized(tmp_path, profile, seed, 20)
    listed, slow = twins(tg)
    big = 0
    for options in OPTIONS:
        for target in roles(tg):
            a = backward_closure(listed.engine, target, options, cache=listed._closure_cache(), lean=True, listed=True)
            b = backward_closure(slow.engine, target, options, cache=slow._closure_cache(), lean=True)
            assert list(a.status.items()) == list(b.status.items()), target
            assert (a.sources, a.examined) == (b.sources, b.examined), target
            da = listed._reverse_paths(a, options, False, listed=True)
            db = slow._reverse_paths(b, options, False)
            assert (da is None) == (db is None)
            if da is not None:
                assert list(da.dist.items()) == list(db.dist.items()), target
            big += len(a.status) > 4
    assert big > 0
    assert list(listed.engine._memo) == list(slow.engine._memo)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_listed_hops_are_the_reference_on_any_random_organization(seed: int, tmp_path_factory: pytest.TempPathFactory
                                                                 ) -> None:
    _compared(f"random seed {seed}, 8 roles an account",
              synthesized(tmp_path_factory.mktemp("org"), "random", seed, 8))


@pytest.mark.parametrize("estate", ["random", "mfa"])
def test_listed_hops_with_undecided_hops_and_mfa_sessions(estate: str, tmp_path: Path) -> None:
    """Unknown hops (an entry whose hop may reach) and sessions with MFA, every role asked twice in a session (the
    second round reads the lists the first built): the same answers, the same closures' questions."""
    from trustgraph.queries.backward import MAYBE

    from .test_one_target import _mfa_estate

    tg = synthesized(tmp_path, "random", 2, 20) if estate == "random" else _mfa_estate()
    chosen = roles(tg)[::3]
    hops = {(u, v) for u, v in tg.graph.edges() if v in chosen}
    session = SolverSession()
    listed, slow = with_unknowns(tg, session, hops), with_unknowns(tg, session, hops)
    slow.listed_hops = False
    compared = compare_engines(f"{estate} estate, hops into every third role Unknown",
                               {"listed": listed, "lean without lists": slow}, options=(QueryOptions.make(),),
                               sources=(None,), rounds=2, same_questions=True)
    assert compared.count(Reach.UNKNOWN) > 0
    lists = [e for per_role in listed._closures.lists.values() for entries in per_role.values() for e in entries or ()]
    assert any(land == MAYBE for _, _, land, _ in lists)
    if estate == "mfa":
        assert any(caller is not None and caller[1] for caller, _, _, _ in lists)
