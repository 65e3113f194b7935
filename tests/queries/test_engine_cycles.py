"""A dropped :class:`~trustgraph.api.TrustGraph` frees its engine, graph and estate by reference counting.

An analyst loads organizations again and again in one notebook, and the bench makes a fresh engine for every fourth
sampled role: an engine that only a full garbage collection frees (rare with millions of long-lived objects) keeps
its memos, and with them the graph and the estate, alive long after. The engine's helpers call back into it without
owning it (:mod:`trustgraph.queries.unowned`; a derived answer holds its engine weakly), and the TrustGraph drops the
graph's cached networkx views that hold the graph. Checked with the collector off: what is still alive once the last
reference is dropped is what only a collection would free."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.derived import DerivedUnsat
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.unowned import unowned

MFA = "aws:MultiFactorAuthPresent"


def _synthesized(tmp_path_factory: pytest.TempPathFactory, profile: str) -> Path:
    from trustgraph.synth import synthesize

    path = tmp_path_factory.mktemp(profile)
    synthesize(path, accounts=3, roles_per_account=20, seed=1, profile=profile)
    return path


@pytest.fixture(scope="module", params=["mix", "chain-heavy"])
def org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synthesized(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def mix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization whose searches under several constraints derive Unsat answers (DerivedUnsat)."""
    return _synthesized(tmp_path_factory, "mix")


@contextmanager
def _collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _roles(tg: GraphQueries) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


def _weak(tg: GraphQueries) -> dict[str, weakref.ref[Any]]:
    """Weak references to the object, its engine and the engine's helpers, the graph and the estate (not the solver
    session: see :func:`test_the_solver_session_of_a_lazy_core_waits_for_a_collection`)."""
    engine = tg.engine
    return {"queries": weakref.ref(tg), "engine": weakref.ref(engine), "candidates": weakref.ref(engine.candidates),
            "witnesses": weakref.ref(engine._witness_maker), "graph": weakref.ref(tg.graph),
            "estate": weakref.ref(tg.estate)}


def _alive(refs: dict[str, weakref.ref[Any]]) -> list[str]:
    return [name for name, ref in refs.items() if ref() is not None]


def _derived(tg: GraphQueries) -> list[DerivedUnsat]:
    """The derived Unsat answers of searches from every outside source under three sets of constraints."""
    sources = ["external"] + sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "account")
    for options in (QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]),
                    QueryOptions.make(not_like={MFA: ["true"]})):
        for source in sources:
            tg.query(source, None, options)
    return [v for _, v in tg.engine._derived.items() if isinstance(v, DerivedUnsat)]


_USES: dict[str, Callable[[TrustGraph], object]] = {
    "who_can_reach": lambda tg: [tg.who_can_reach(r) for r in _roles(tg)[::7]],
    "external_access": lambda tg: (tg.external_access(without=["sts:ExternalId"]),
                                   tg.who_can_reach(_roles(tg)[0], without=["sts:ExternalId", MFA])),
    "escalations": lambda tg: (tg.escalations(), tg.assume_reaches()),
    "reachable_from": lambda tg: (tg.reachable_from(_roles(tg)[0]), tg.can_reach("external", _roles(tg)[-1])),
    "scan": lambda tg: tg.scan(),
}


@pytest.mark.parametrize("use", sorted(_USES))
def test_a_dropped_trust_graph_dies_without_a_collection(org: Path, use: str) -> None:
    with _collector_off():
        tg = load(org)
        found = _USES[use](tg) is not None  # (an answer may hold the engine: dropped with it)
        refs = _weak(tg)
        del tg
        assert _alive(refs) == [], use
    assert found


def test_derived_answers_do_not_keep_their_engine(mix: Path) -> None:
    """An engine whose memo holds derived answers (each naming its engine) dies with its TrustGraph."""
    with _collector_off():
        tg = load(mix)
        derived = len(_derived(tg))
        refs = _weak(tg)
        del tg
        assert _alive(refs) == []
    assert derived


def test_fresh_engines_on_one_graph_die_when_replaced(org: Path) -> None:
    """The bench's cold loop: a fresh GraphQueries over one kept graph per role; each replaced one dies at once."""
    kept = load(org)
    with _collector_off():
        engines = []
        for role in _roles(kept)[::9]:
            tg = GraphQueries(kept.estate, kept.zone, kept.graph)
            engines.append(weakref.ref(tg.engine))
            tg.who_can_reach(role)
        del tg
        assert [ref() for ref in engines] == [None] * len(engines)


def test_the_graph_outlives_its_trust_graph_intact(org: Path) -> None:
    """A graph still held after its TrustGraph is dropped keeps working (its views are made again)."""
    tg = load(org)
    tg.who_can_reach(_roles(tg)[0])
    graph = tg.graph
    edges = list(graph.edges(keys=True, data=True))
    degrees = dict(graph.in_degree())
    del tg
    assert list(graph.edges(keys=True, data=True)) == edges and dict(graph.in_degree()) == degrees
    again = GraphQueries(graph.graph["estate"], graph.graph["zone"], graph)
    assert again.who_can_reach(_roles(again)[0]) is not None


def test_an_engine_used_after_its_trust_graph_is_dropped(org: Path) -> None:
    """The engine alone keeps working once its TrustGraph is gone (its helpers reach it while it lives)."""
    tg = load(org)
    engine = tg.engine
    roles = _roles(tg)
    before = tg.who_can_reach(roles[0])
    del tg
    again = GraphQueries(engine.estate, engine.zone, engine.G)
    again.engine = engine
    assert [r.source for r in again.who_can_reach(roles[0])] == [r.source for r in before]


def test_unowned_calls_only_a_living_instance() -> None:
    class Owner:
        def twice(self, x: int) -> int:
            return 2 * x

    owner = Owner()
    twice = unowned(owner.twice)
    assert twice(4) == 8
    ref = weakref.ref(owner)
    del owner
    assert ref() is None
    with pytest.raises(ReferenceError):
        twice(1)


def test_a_derived_answer_of_a_freed_engine_says_so(mix: Path) -> None:
    """Its reason is read through its engine while the engine lives; once the engine is freed it says so."""
    tg = load(mix)
    derived = _derived(tg)
    assert len(derived) > 1 and derived[0].core  # the engine alive: the hop's own core
    del tg
    gc.collect()
    with pytest.raises(ReferenceError):
        derived[1].solved()


def test_the_solver_session_of_lazy_cores_is_freed_with_its_engine(mix: Path) -> None:
    """Lazily explained Unsats in the session's store hold it weakly (smt.session.SessionLink)."""
    with _collector_off():
        tg = load(mix)
        tg.external_access(without=["sts:ExternalId"])
        session = weakref.ref(tg.engine.session)
        del tg
        assert session() is None
