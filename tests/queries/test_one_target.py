"""Many sources, one role: the backward closure (``TrustGraph.query`` -> ``_to_one_target``) gives the answers of the
forward searches it replaces (``TrustGraph._forward``), for every role of the test datasets and several options."""

from __future__ import annotations

from typing import Any

import pytest
from twins import twin as twin_of

from tests.queries.engines import with_unknowns
from trustgraph.api import TrustGraph
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.queries.specs import resolve_sources, resolve_targets
from trustgraph.semantics.request import Verdict

from .builders import DATASETS, dataset_graph


@pytest.fixture(scope="module", params=DATASETS)
def tg(request: pytest.FixtureRequest) -> TrustGraph:
    return dataset_graph(request.param)


def _roles(tg: TrustGraph) -> list[str]:
    return sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")


def _key(r: ReachResult) -> tuple[Any, ...]:
    return (r.source, r.target, r.verdict, r.hops, r.reason, r.approximations)


def _twin(tg: TrustGraph) -> TrustGraph:
    """The same graph with its own engine (empty hop memo), at the same analysis time, reading the same solver
    session (which of several valid witnesses a hop gets depends on the order questions are asked in)."""
    return twin_of(tg, tg.engine.session)


def _reference(tg: TrustGraph, source: str | None, target: str, options: QueryOptions,
               per_member: bool = False) -> tuple[ReachResult, ...]:
    return tg._forward(resolve_sources(tg.graph, source), resolve_targets(tg.graph, target), options, per_member)


OPTIONS = {
    "none": QueryOptions(),
    "without-external-id": QueryOptions.make(without=["sts:ExternalId"]),
    "no-mfa": QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
    "first-action": QueryOptions.make(action="sts:AssumeRole"),
    "one-hop": QueryOptions.make(max_hops=1),
    "closed": QueryOptions.make(closed=True),
}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_every_source_to_every_role_as_the_forward_searches(tg: TrustGraph, name: str) -> None:
    options = OPTIONS[name]
    new_tg, old_tg = _twin(tg), _twin(tg)
    reached = 0
    for role in _roles(tg):
        new = new_tg.query(None, role, options)
        old = _reference(old_tg, None, role, options)
        assert [_key(r) for r in new] == [_key(r) for r in old], role
        for r in new:
            assert r.verdict is not Reach.UNREACHABLE
            reached += r.verdict is Reach.REACHABLE
            for hop in r.hops:
                assert hop.replay().verdict is Verdict.ALLOW
    assert reached > 0


@pytest.mark.parametrize("per_member", [False, True])
@pytest.mark.parametrize("name", ["none", "without-external-id", "no-mfa"])
def test_outsiders_to_every_role_as_the_forward_searches(tg: TrustGraph, name: str, per_member: bool) -> None:
    options = OPTIONS[name]
    new_tg, old_tg = _twin(tg), _twin(tg)
    for role in _roles(tg):
        new = new_tg.query("external", role, options, per_member=per_member)
        old = _reference(old_tg, "external", role, options, per_member)
        assert [_key(r) for r in new] == [_key(r) for r in old], role


def test_an_inside_account_to_every_role_as_the_forward_searches(tg: TrustGraph) -> None:
    account = sorted(tg.zone.accounts)[0]
    new_tg, old_tg = _twin(tg), _twin(tg)
    for role in _roles(tg):
        new = new_tg.query(f"account:{account}", role, QueryOptions())
        old = _reference(old_tg, f"account:{account}", role, QueryOptions())
        assert [_key(r) for r in new] == [_key(r) for r in old], role


# ------------------------------------------------------------------------------------ MFA states and hubs
def _mfa_estate() -> TrustGraph:
    from trustgraph.ingest.zone_file import zone_from_ids

    from .builders import account, allow_aws, assume_policy, graph, role, trust, user

    a, b = "111111111111", "222222222222"
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    everything = {"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    return graph(
        account(a, users=[user(a, "alice", inline=[everything]),
                          user(a, "bob", inline=[assume_policy(arn("First"))])], roles=[
            role(a, "First", trust(allow_aws(f"arn:aws:iam::{a}:user/alice"), allow_aws(f"arn:aws:iam::{a}:user/bob")),
                 inline=[everything]),
            role(a, "Second", trust(allow_aws(arn("First"), mfa)), inline=[everything]),
            role(a, "Guarded", trust(allow_aws(f"arn:aws:iam::{a}:user/alice", mfa)), inline=[everything]),
            role(a, "Vendor", trust(allow_aws(f"arn:aws:iam::{b}:root", mfa)), inline=[everything]),
            role(a, "AfterVendor", trust(allow_aws(arn("Vendor"), mfa), allow_aws(arn("Guarded")))),
            role(a, "AccountWide", trust(allow_aws(f"arn:aws:iam::{a}:root")), inline=[everything]),
            role(a, "Third", trust(allow_aws(arn("Second"), mfa), allow_aws(arn("AccountWide")))),
            role(a, "Anyone", trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
                 inline=[assume_policy(arn("Second"))]),
        ]),
        zone=zone_from_ids([a]),
    )


@pytest.mark.parametrize("name", ["none", "no-mfa", "first-action"])
def test_mfa_sessions_and_hubs_as_the_forward_searches(name: str) -> None:
    tg = _mfa_estate()
    assert tg.engine.mfa_sensitive
    options = OPTIONS[name]
    new_tg, old_tg = _twin(tg), _twin(tg)
    for role in _roles(tg):
        for source in (None, "external"):
            new = new_tg.query(source, role, options)
            old = _reference(old_tg, source, role, options)
            assert [_key(r) for r in new] == [_key(r) for r in old], (source, role)
    reached = {r.source for r in new_tg.who_can_reach("arn:aws:iam::111111111111:role/Second")}
    assert "arn:aws:iam::111111111111:user/alice" in reached


# --------------------------------------------------------------------------------------------- undecided
def _undecided(tg: TrustGraph, hops: set[tuple[str, str]]) -> TrustGraph:
    """A twin reading ``tg``'s solver session whose engine answers Unknown for the hops (caller node, role) given."""
    return with_unknowns(tg, tg.engine.session, hops)


def test_undecided_hops_keep_reachable_answers_and_never_add_unknowns(tg: TrustGraph) -> None:
    """With undecided hops, the reachable answers are the forward searches'; an UNKNOWN answer is one the forward
    searches also give (they may give more: see the next test)."""
    roles = _roles(tg)
    hops = {(u, v) for u, v in tg.graph.edges() if v in roles[::3]}
    new_tg, old_tg = _undecided(tg, hops), _undecided(tg, hops)
    unknown = 0
    for role in roles:
        new = new_tg.query(None, role, QueryOptions())
        old = _reference(old_tg, None, role, QueryOptions())
        assert ([_key(r) for r in new if r.verdict is Reach.REACHABLE]
                == [_key(r) for r in old if r.verdict is Reach.REACHABLE]), role
        new_unknown = {r.source for r in new if r.verdict is Reach.UNKNOWN}
        assert new_unknown <= {r.source for r in old if r.verdict is Reach.UNKNOWN}, role
        unknown += len(new_unknown)
    assert unknown > 0


def test_an_undecided_hop_into_a_role_that_cannot_lead_to_the_target_does_not_make_it_unknown() -> None:
    """Entry -> Dead is undecided, but Dead's only hop to Target is proven blocked: the forward search (which counted
    any undecided hop into an ancestor of Target in the graph) said UNKNOWN; the backward closure, which knows Dead
    cannot lead to Target, lists no answer for the outside account. Entry -> Mid undecided, Mid -> Target Sat:
    UNKNOWN in both."""
    from trustgraph.ingest.zone_file import zone_from_ids

    from .builders import account, allow_aws, graph, role, trust

    a, b = "111111111111", "222222222222"

    def arn(name: str) -> str:
        return f"arn:aws:iam::{a}:role/{name}"

    deny_dead = {"Effect": "Deny", "Principal": {"AWS": arn("Dead")}, "Action": "sts:AssumeRole"}
    tg = graph(account(a, roles=[
        role(a, "Entry", trust(allow_aws(f"arn:aws:iam::{b}:root"))),
        role(a, "Mid", trust(allow_aws(arn("Entry")))),
        role(a, "Dead", trust(allow_aws(arn("Entry")))),
        role(a, "Target", trust(allow_aws([arn("Mid"), arn("Dead")]), deny_dead)),
    ]), zone=zone_from_ids([a]))
    source = f"account:{b}"
    blocked = {(arn("Entry"), arn("Dead")), (arn("Entry"), arn("Mid"))}
    old = {r.source: r.verdict for r in _reference(_undecided(tg, {(arn("Entry"), arn("Dead"))}), None,
                                                   arn("Target"), QueryOptions())}
    assert old[source] is Reach.REACHABLE  # through Mid
    old = {r.source: r.verdict for r in _reference(_undecided(tg, blocked), None, arn("Target"), QueryOptions())}
    new = {r.source: r.verdict for r in _undecided(tg, blocked).query(None, arn("Target"), QueryOptions())}
    assert old[source] is Reach.UNKNOWN and new[source] is Reach.UNKNOWN  # Entry -> Mid -> Target may be open
    only_dead = {(arn("Entry"), arn("Dead"))}
    tg_mid_blocked = graph(account(a, roles=[
        role(a, "Entry", trust(allow_aws(f"arn:aws:iam::{b}:root"))),
        role(a, "Mid", trust(allow_aws(arn("Entry")), {"Effect": "Deny", "Principal": {"AWS": arn("Entry")},
                                                        "Action": "sts:AssumeRole"})),
        role(a, "Dead", trust(allow_aws(arn("Entry")))),
        role(a, "Target", trust(allow_aws([arn("Mid"), arn("Dead")]), deny_dead)),
    ]), zone=zone_from_ids([a]))
    old = {r.source: r.verdict for r in _reference(_undecided(tg_mid_blocked, only_dead), None, arn("Target"),
                                                   QueryOptions())}
    new = {r.source: r.verdict for r in _undecided(tg_mid_blocked, only_dead).query(None, arn("Target"),
                                                                                     QueryOptions())}
    assert old.get(source) is Reach.UNKNOWN
    assert source not in new


# ------------------------------------------------------------------------------------------- hub lists
@pytest.mark.parametrize("source", ["external", "*"])
def test_sessions_walk_the_search_copy_of_hub_lists_as_the_full_lists(tg: TrustGraph, source: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping hub edges to roles already reached (``_session_candidates``) finds what walking every hub edge
    finds, with the same paths."""
    compacted = _twin(tg).query(source, None, OPTIONS["without-external-id"], per_member=True)
    full_tg = _twin(tg)
    monkeypatch.setattr(full_tg.engine, "_session_candidates",
                        lambda node, outcome: full_tg.engine.hop_candidates(node))
    full = full_tg.query(source, None, OPTIONS["without-external-id"], per_member=True)
    assert [_key(r) for r in compacted] == [_key(r) for r in full]
    assert len(compacted) > 0
