"""A query for one role with the cyclic collector paused (``GraphQueries.paused_queries``) against the reference
(collected as it allocates): the same answers field by field and the same hop questions in the same order, on
generated organizations; and the collector handed back as it was found: enabled, nothing left frozen, whether the
query returns or raises, and untouched when it was off or objects were frozen already (a scan's checks)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from tests.queries.engines import compare_engines, twins
from tests.queries.helpers import synthesized
from trustgraph.api import TrustGraph
from trustgraph.model.bulk import gc_paused, loaded_objects_frozen
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.queries.options import QueryOptions

OPTIONS = (QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]))


def _roles(tg: TrustGraph) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


@pytest.mark.parametrize(("profile", "seed"), [("mix", 1), ("chain-heavy", 2), ("federation-heavy", 3),
                                               ("random", 5)])
def test_paused_queries_give_the_reference_answers(profile: str, seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, profile, seed)
    paused, collected = twins(tg)
    collected.paused_queries = False
    compared = compare_engines(f"{profile} seed {seed}", {"paused": paused, "collected": collected}, options=OPTIONS,
                               same_questions=True)
    assert compared.answers > 0


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    return synthesized(tmp_path_factory.mktemp("org"), "mix", 1, 8)


def _paused_inside(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """The collector's state (enabled, anything frozen) as the query's body sees it, once per query."""
    seen: list[tuple[bool, bool]] = []
    original = GraphQueries._answers_to_one_target

    def body(self: GraphQueries, *args: Any) -> Any:
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return original(self, *args)

    monkeypatch.setattr(GraphQueries, "_answers_to_one_target", body)
    return seen


def test_the_collector_is_paused_in_the_query_and_handed_back(small: TrustGraph,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _paused_inside(small, monkeypatch)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    small.who_can_reach(_roles(small)[0])
    assert seen == [(False, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    small.paused_queries = False
    try:
        small.who_can_reach(_roles(small)[1])
    finally:
        small.paused_queries = True
    assert seen[-1] == (True, True)  # the reference: frozen, collected as it allocates
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_is_handed_back_when_the_query_raises(small: TrustGraph,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: GraphQueries, *args: Any) -> Any:
        assert not gc.isenabled()
        raise RuntimeError("boom")

    monkeypatch.setattr(GraphQueries, "_answers_to_one_target", failing)
    with pytest.raises(RuntimeError, match="boom"):
        small.who_can_reach(_roles(small)[0])
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_is_left_alone_when_off_or_already_frozen(small: TrustGraph,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _paused_inside(small, monkeypatch)
    role = _roles(small)[0]
    with gc_paused():  # off: stays off, nothing frozen
        small.who_can_reach(role)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    with loaded_objects_frozen():  # a scan's checks: frozen by someone else, the collector stays on
        frozen = gc.get_freeze_count()
        small.who_can_reach(role)
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert seen == [(False, False), (True, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
