"""A who_can_reach query's own structures die when it returns, without a garbage collection: the reverse searches
(:class:`~trustgraph.queries.reverse.ReversePaths`, :class:`~trustgraph.queries.reverse_carried.CarriedPaths`) and
their :class:`~trustgraph.queries.agreed.AgreedPaths`, whose step is a bound method of the search, form a reference
cycle that the query breaks once its answers are built (:meth:`AgreedPaths.release`). In a long-lived process
(a notebook, the bench's who_can_reach phase) a cycle would keep each query's distances, steps and tails until a full
collection, which is rare when millions of objects are long-lived. Checked with the collector off: a search that
outlives its query, or any such object still tracked, is one that only a collection would free."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.agreed import AgreedPaths
from trustgraph.queries.backward import Backward
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.reverse import ReversePaths
from trustgraph.queries.reverse_carried import CarriedPaths

from .test_reverse_carried import _tag_estate

_KINDS = (ReversePaths, CarriedPaths, AgreedPaths, Backward)


@contextmanager
def _made(monkeypatch: pytest.MonkeyPatch, cls: type[Any]) -> Iterator[list[weakref.ref[Any]]]:
    """Weak references to every instance of ``cls`` made in the block, with the collector off."""
    refs: list[weakref.ref[Any]] = []
    original: Callable[..., None] = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        refs.append(weakref.ref(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", init)
    gc.collect()
    gc.disable()
    try:
        yield refs
    finally:
        gc.enable()


def _tracked() -> int:
    """How many objects of the query structures' kinds the collector tracks (garbage not yet collected included)."""
    return sum(1 for o in gc.get_objects() if isinstance(o, _KINDS))


def _roles(tg: TrustGraph) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


@pytest.mark.parametrize("profile", ["mix", "chain-heavy"])
def test_reverse_paths_die_with_their_query(profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=1, profile=profile)
    tg = load(tmp_path)
    assert not tg.engine.demand
    with _made(monkeypatch, ReversePaths) as refs:
        before = _tracked()
        answers = 0
        for target in _roles(tg):
            for source in (None, "external"):  # every source (the batch loop), and the outsiders' own
                answers += len(tg.query(source, target, QueryOptions()))
                assert all(ref() is None for ref in refs), (source, target)
        assert _tracked() == before
    assert refs and answers


def test_carried_paths_die_with_their_query(monkeypatch: pytest.MonkeyPatch) -> None:
    tg = _tag_estate()
    assert tg.engine.demand
    with _made(monkeypatch, CarriedPaths) as refs:
        before = _tracked()
        for target in _roles(tg):
            tg.who_can_reach(target)
            assert all(ref() is None for ref in refs), target
        assert _tracked() == before
    assert refs


def test_a_released_search_asks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """After its query, a search's answer structure refuses a step instead of asking a hop question."""
    tg = _tag_estate()
    kept: list[AgreedPaths] = []
    original = AgreedPaths.release

    def release(self: AgreedPaths) -> None:
        kept.append(self)
        original(self)

    monkeypatch.setattr(AgreedPaths, "release", release)
    tg.who_can_reach(_roles(tg)[0])
    assert kept
    with pytest.raises(RuntimeError, match="released"):
        kept[0].step(("x", False))
