"""The states a Sat hop leads to, kept once read to the end and replayed (``ReachabilityEngine.sat_successors``):
who_can_reach on every role of one engine, and the searches from outside, give the answers of an engine that keeps
nothing, field by field, on small random-profile organizations whose policies read carried keys (every source is
searched on its own there: the replays are what the later searches read)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.options import QueryOptions
from trustgraph.smt.session import SolverSession


class _KeepsNothing(dict[Any, Any]):
    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class _Counts(dict[Any, Any]):
    replays = 0

    def get(self, key: Any, default: Any = None) -> Any:
        out = super().get(key, default)
        if out is not None:
            type(self).replays += 1
        return out


def _answers(tg: TrustGraph, session: SolverSession, keep: bool) -> list[Any]:
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = tg.engine.now_ms
    fresh.engine.session = session
    fresh.engine._leads = _Counts() if keep else _KeepsNothing()
    roles = sorted(r for r, d in tg.graph.nodes(data=True) if d["kind"] == "role" and d["inside"])
    out = []
    for results in (*(fresh.who_can_reach(r) for r in roles),
                    fresh.query("*", None, QueryOptions.make(without=("sts:ExternalId",)))):
        out.append([(r.source, r.target, r.verdict, r.reason, r.approximations, tuple(
            (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
            for h in r.hops)) for r in results])
    return out


@pytest.mark.parametrize(("seed", "roles"), [(13, 15), (11, 15), (1, 12)])
def test_replayed_successors_give_the_same_answers(seed: int, roles: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=roles, seed=seed, profile="random")
    tg = load(tmp_path)
    session = SolverSession()
    reference = _answers(tg, session, keep=False)
    _Counts.replays = 0
    kept = _answers(tg, session, keep=True)
    assert kept == reference
    assert _Counts.replays > 0
    if seed == 13:
        assert tg.engine.demand  # policies read carried keys: each source searched on its own
