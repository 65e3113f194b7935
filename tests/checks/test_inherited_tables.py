"""The scan-wide tables built before the first fork (:func:`trustgraph.checks.parallel.inherited_tables`): what a
worker would otherwise build on its first role, walking every role's trust policy and copying the estate's pages."""

from __future__ import annotations

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.parallel import inherited_tables


def _ctx() -> ScanContext:
    tg = load()
    return ScanContext(TrustGraph(tg.estate, tg.zone, tg.graph))


def test_the_condition_counter_is_built_once_and_kept() -> None:
    ctx = _ctx()
    inherited_tables(ctx)
    counter = ctx.condition_counter()
    # the same function in every view: a worker forked now inherits it and never walks the estate for it
    assert ctx.for_roles(ctx.roles[:1]).condition_counter() is counter
    statements = [st for role in ctx.estate.role_by_arn.values() for st in role.trust_policy.statements]
    assert statements and all(counter(st.location) == len(st.conditions) for st in statements)
    assert any(counter(st.location) > 0 for st in statements)


def test_built_before_any_role_is_checked() -> None:
    ctx = _ctx()
    memo = ctx._shared.memo
    assert ("condition-counter",) not in memo
    inherited_tables(ctx)
    assert ("condition-counter",) in memo
