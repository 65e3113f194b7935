""":meth:`DemandMap.kinds` found lazily (a forward walk per role on first need, settled roles memoised) against the
whole map built at once (the reference below: a backward walk from every reader over the exact in-candidates, the
map as first written): the same kinds for every role, whatever order the roles are asked in (the memo settles roles
as walks find them, so the order is what could make it differ), on small random and condition-heavy organizations
and on generated chains; and, after a graph change (``graph.nodes.bump_version``), the kinds of the changed graph,
not the memoised ones. The answers the kinds lead to are compared with the reference engine in
``tests/queries/test_role_demand.py``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from small_orgs import small_org

from tests.queries.helpers import synthesized
from tests.queries.test_role_demand import _every_kind, _reader_aside, arn, chain_estates
from trustgraph.api import TrustGraph
from trustgraph.graph.nodes import bump_version
from trustgraph.model.policy import Policy
from trustgraph.queries.candidates import HopCandidates
from trustgraph.queries.carry import SOURCE_IDENTITY, may_allow
from trustgraph.queries.demandmap import policy_slots
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.unowned import unowned
from trustgraph.semantics.request import Action


def _reads(policies: list[Policy | None]) -> set[str]:
    return set().union(*(policy_slots(p) for p in policies if p is not None))


def whole_map(engine: ReachabilityEngine) -> dict[str, frozenset[str]]:
    """Every role's kinds at once: seeds per kind (a role a carrying session may get into whose sessions' calls read
    it; every in-candidate of a role that reads it on its resource side and that one may get into), then backward
    over the in-candidates through the roles a carrying session may get into."""
    G = engine.G
    wanted = _every_kind(engine.demand)
    roles = [n for n, a in G.nodes(data=True) if a["kind"] == "role"]

    def enters(role: str, kind: str) -> bool:
        action = Action.SET_SOURCE_IDENTITY if kind == SOURCE_IDENTITY else Action.TAG_SESSION
        return may_allow(engine.target(role).role.trust_policy, action)

    seeds: dict[str, set[str]] = {s: set() for s in wanted}
    for role in roles:
        caller = engine.caller(role, False)
        session_side = [*getattr(caller, "identity_policies", ()), getattr(caller, "boundary", None),
                        *getattr(caller, "session_policies", ())]
        for level in getattr(caller, "scp_levels", None) or ():
            session_side.extend(level)
        for s in _reads(session_side) & wanted:
            if enters(role, s):
                seeds[s].add(role)
        target = engine.target(role)
        resource_side: list[Policy | None] = [target.role.trust_policy]
        for level in target.rcp_levels or ():
            resource_side.extend(level)
        for s in _reads(resource_side) & wanted:
            if enters(role, s):
                seeds[s].update(n for n, _, _ in engine.in_candidates(role) if G.nodes[n]["kind"] == "role")
    out: dict[str, set[str]] = {role: set() for role in roles}
    for s, found in seeds.items():
        reached, stack = set(found), list(found)
        while stack:
            role = stack.pop()
            if enters(role, s):
                for node, _, _ in engine.in_candidates(role):
                    if node not in reached and G.nodes[node]["kind"] == "role":
                        reached.add(node)
                        stack.append(node)
        for role in reached:
            out[role].add(s)
    return {role: frozenset(kinds) for role, kinds in out.items()}


def _same_in_every_order(tg: TrustGraph, shuffles: int = 3) -> dict[str, frozenset[str]]:
    """The lazy kinds of every role, asked in graph order, reversed and shuffled (a fresh engine each), each time
    equal to :func:`whole_map`; returns the whole map."""
    expected = whole_map(ReachabilityEngine(tg.graph))
    roles = list(expected)
    orders = [roles, roles[::-1]]
    rng = random.Random(0)
    for _ in range(shuffles):
        orders.append(rng.sample(roles, len(roles)))
    for order in orders:
        engine = ReachabilityEngine(tg.graph)
        assert {role: engine.demand_kinds(role) for role in order} == expected
    return expected


@pytest.mark.parametrize(("profile", "seed"), [("random", 4), ("random", 5), ("condition-heavy", 1),
                                              ("condition-heavy", 2)])
def test_small_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    """Organizations where some roles are asked with a carried value and others with none (both settle)."""
    tg = synthesized(tmp_path, profile, seed, 25) if profile == "random" else small_org(profile, seed, tmp_path)
    every = _every_kind(ReachabilityEngine(tg.graph).demand)
    kinds = _same_in_every_order(tg)
    assert any(kinds.values()), "some role must be asked with a carried value"
    assert any(k != every for k in kinds.values()), "some role must be asked with fewer kinds"
    if profile == "condition-heavy":
        assert any(k and k != every for k in kinds.values()), "some role must be asked with some kinds, not all"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_estates())
def test_generated_chains(tg: TrustGraph) -> None:
    _same_in_every_order(tg, shuffles=2)


def test_hand_built_chain() -> None:
    kinds = _same_in_every_order(_reader_aside())
    assert kinds[arn("Entry")] == {"team"} and kinds[arn("Aside")] == frozenset()


def test_a_graph_change_drops_the_memo() -> None:
    """Hop2's way to the reader cut after its kinds were memoised: once the graph's version is raised (and the
    candidate lists renewed, as for any search after a change), Hop2 is asked with no value, as the whole map of
    the changed graph says."""
    tg = _reader_aside()
    engine = ReachabilityEngine(tg.graph)
    assert engine.demand_kinds(arn("Hop2")) == {"team"}
    G = tg.graph
    G.remove_edges_from([(u, v, k) for u, v, k in G.in_edges(arn("Reader"), keys=True)])
    assert engine.demand_kinds(arn("Hop2")) == {"team"}  # the same version: the memo stands
    bump_version(G)
    engine.candidates = HopCandidates(G, unowned(engine.caller))
    expected = whole_map(engine)
    assert expected[arn("Hop2")] == frozenset()
    assert {role: engine.demand_kinds(role) for role in expected} == expected
