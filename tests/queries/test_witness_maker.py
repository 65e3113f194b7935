"""The witnesses an engine makes (``queries.witnesses.WitnessMaker.by_schema``: a packed context's shown keys worked
out once per schema, the witness made without its initializer, a carried-over answer's statements read without
making its decision) and the packed contexts looked up by their keys as given (``PackedContext.raw_keys``) against
their references: who_can_reach's answers equal field by field (each witness's shown context key by key in order,
its evidence, the requests), the same hop questions in the same order, and the same scan. (Two engines sharing a
solver session may get one request's context in two orders: the order of a request's keys is compared where one
request is packed both ways.)"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from twins import twin

from tests.queries.test_lazy_decisions import _org
from trustgraph.api import TrustGraph
from trustgraph.queries.results import HopWitness, ReachResult
from trustgraph.queries.witnesses import WitnessMaker
from trustgraph.semantics.request import Action, PackedContext, Request, interned_request, packed_context
from trustgraph.smt.session import SolverSession

ORGS = [("example", 0), ("sample", 0), ("mix", 1), ("chain-heavy", 1), ("chain-heavy", 3), ("federation-heavy", 1),
        ("vendor-heavy", 1), ("random", 5), ("vendor-heavy-8x50", 2), ("mix-8x50", 1)]


def _witness_fields(h: HopWitness) -> tuple[Any, ...]:
    assert type(h) is HopWitness and type(h.context) is MappingProxyType
    request = h.evidence[2] if h.evidence is not None else None
    return (*(getattr(h, f.name) for f in fields(HopWitness)), list(h.context.items()),
            None if request is None else (request.action, request.duration_seconds, dict(request.context)),
            None if h.evidence is None else h.evidence[:2])


def _answer(r: ReachResult) -> tuple[Any, ...]:
    return (type(r), *(getattr(r, f.name) for f in fields(ReachResult) if f.name != "hops"),
            [_witness_fields(h) for h in r.hops])


def _compared(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every role asked ``who_can_reach`` by two engines sharing a solver session, with the switches on and off in
    turn; the answers compared field by field, then the hop memos in order. Returns the number of hops compared."""
    session = SolverSession()
    new, old = twin(tg, session), twin(tg, session)
    old.engine._witness_maker.by_schema = False
    hops = 0
    for target in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role"):
        monkeypatch.setattr(PackedContext, "raw_keys", True)
        a = new.who_can_reach(target)
        monkeypatch.setattr(PackedContext, "raw_keys", False)
        b = old.who_can_reach(target)
        assert [_answer(r) for r in a] == [_answer(r) for r in b], target
        hops += sum(len(r.hops) for r in a)
    assert list(new.engine._memo) == list(old.engine._memo)
    assert list(new.engine._derived) == list(old.engine._derived)
    return hops


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_witnesses_equal_the_reference(name: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert WitnessMaker.by_schema and PackedContext.raw_keys
    tg = _org(name, seed, tmp_path)
    assert _compared(tg, monkeypatch) > 0


def test_shown_context_of_every_packed_request(tmp_path: Path) -> None:
    """Each request an engine kept, shown by schema and by sorting its items (both makers fresh)."""
    tg = _org("vendor-heavy-8x50", 2, tmp_path)
    for role in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")[:60]:
        tg.who_can_reach(role)
    fast, slow = WitnessMaker(tg.engine.target), WitnessMaker(tg.engine.target)
    slow.by_schema = False
    packed = 0
    for answer in tg.engine._memo.values():
        request = getattr(answer, "request", None)
        if request is None:
            continue
        packed += request.context.__class__ is PackedContext
        assert list(fast.shown(request).items()) == list(slow.shown(request).items())
        assert fast.shown(request) is fast.shown(request)  # one per request
    assert packed


def test_shown_context_of_small_schemas() -> None:
    """Schemas of no key, one key and keys out of order, spelled as AWS spells them."""
    schemas: dict[tuple[str, ...], Any] = {}
    pool: dict[int, Request] = {}
    fast, slow = WitnessMaker(lambda role: None), WitnessMaker(lambda role: None)  # type: ignore[arg-type,return-value]
    slow.by_schema = False
    for context in ({}, {"sts:externalid": ("e",)},
                    {"sts:rolesessionname": ("s",), "aws:principaltag/team": ("a", "b"), "aws:principalarn": ("x",)}):
        request = interned_request(pool, Action.ASSUME_ROLE, context, None, schemas)
        assert list(fast.shown(request).items()) == list(slow.shown(request).items())
    assert list(fast.shown(request)) == ["aws:PrincipalArn", "aws:PrincipalTag/team", "sts:RoleSessionName"]


@pytest.mark.parametrize("contexts", [
    [{"aws:PrincipalArn": ("x",), "sts:ExternalId": ("e",)}, {"aws:PrincipalArn": ("y",), "sts:ExternalId": ("f",)},
     {"aws:principalarn": ("z",), "sts:externalid": ("g",)}, {"aws:principalarn": ("z",), "sts:ExternalId": ("g",)}],
    [{"a": ("1",), "A": ("2",)}, {"a": ("1",), "A": ("2",)}, {"a": ("3",)}, {"A": ["4", "5"]}],
    [{}, {}, {"k": ["v"]}, {"K": ("w",)}, {"k": ("v",), "j": ()}, {"j": (), "k": ("v",)}],
])
def test_packed_contexts_by_raw_keys(contexts: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Packed with and without the look-up by the keys as given: the same class, items in order, schema positions
    (one schema object per keys lower-cased in order either way)."""
    made: dict[bool, list[Any]] = {}
    for raw in (True, False):
        monkeypatch.setattr(PackedContext, "raw_keys", raw)
        schemas: dict[tuple[str, ...], Any] = {}
        out = made[raw] = []
        for context in contexts:
            packed = packed_context(schemas, context)
            out.append((packed.__class__, list(packed.items()),
                        dict(packed._index) if isinstance(packed, PackedContext) else None))
            if isinstance(packed, PackedContext):
                assert packed._index is schemas[tuple(k.lower() for k in context)]
                assert all(type(v) is tuple for v in packed._values)
    assert made[True] == made[False]


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("vendor-heavy", 2), ("vendor-heavy-8x50", 2)])
def test_scans_equal_with_the_reference_witnesses(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with both switches on and off (fresh engines)."""
    from tests.queries.engines import same_scans

    same_scans(f"{name} seed {seed}", _org(name, seed, tmp_path), (WitnessMaker, "by_schema"),
               (PackedContext, "raw_keys"))
