"""``ScanContext.reach_known(..., members=...)`` and ``ScanContext.reach_to`` answer as the per-member searches of
``reach_known`` for the members asked about."""

from __future__ import annotations

from typing import Any

import pytest

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.graph.nodes import EXTERNAL
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import ReachResult

from .builders import DATASETS, dataset_graph


@pytest.fixture(scope="module", params=DATASETS)
def tg(request: pytest.FixtureRequest) -> TrustGraph:
    return dataset_graph(request.param)


def _key(r: ReachResult) -> tuple[Any, ...]:
    return (r.source, r.target, r.verdict, r.hops, r.reason, r.approximations)


@pytest.mark.parametrize("options", [QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]),
                                     QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]})],
                         ids=["none", "without-external-id", "no-mfa"])
def test_members_answer_as_the_per_member_searches(tg: TrustGraph, options: QueryOptions) -> None:
    everyone = ScanContext(TrustGraph(tg.estate, tg.zone, tg.graph.copy()))
    chosen = ScanContext(TrustGraph(tg.estate, tg.zone, tg.graph.copy()))
    chosen.engine.now_ms = everyone.engine.now_ms
    federated = tuple(m for m in chosen.outsider_members() if m != EXTERNAL)
    assert chosen.outsider_members()[0] == EXTERNAL and federated
    seen = 0
    for role in everyone.roles:
        full = everyone.reach_known(EXTERNAL, role, options)
        aws = chosen.reach_known(EXTERNAL, role, options, members=(EXTERNAL,))
        assert [_key(r) for r in aws] == [_key(r) for r in full if r.source == EXTERNAL], role
        fed = chosen.reach_to(EXTERNAL, role, options, members=federated)
        assert [_key(r) for r in fed] == [_key(r) for r in full if r.source != EXTERNAL], role
        seen += len(full)
        for node in everyone.outside_account_nodes:
            assert ([_key(r) for r in chosen.reach_known(node, role, options, members=(node,))]
                    == [_key(r) for r in everyone.reach_known(node, role, options)])
    assert seen > 0
