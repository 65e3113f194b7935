"""Carried values asked per role (``ReachabilityEngine(per_role_demand=True)``, :mod:`trustgraph.queries.demandmap`)
against the reference (``per_role_demand=False``: every hop into a role whose trust may allow setting one is asked
with every demanded value): the same answers field by field (sources, verdicts, paths, each hop's witness request,
reasons, approximations) for every source and role, forward and who_can_reach, and the same scan findings. Compared
on hand-built chains, on generated estates (hypothesis: chains of roles whose trust policies pin, pass, read or
refuse transitive tags and source identities, a value set on the first hop and read three hops later), and on
small random and condition-heavy organizations. Each comparison also checks that the per-role engine left some
carried value out somewhere it ran, so that the comparison covers the fast path."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

from tests.queries.builders import account, allow_aws, graph, role, trust
from tests.queries.helpers import answer_key, synthesized
from trustgraph.api import TrustGraph
from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.model.policy import Policy
from trustgraph.queries.carry import CarryDemand
from trustgraph.queries.demandmap import policy_slots
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

A, B = "111111111111", "222222222222"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
OPTIONS = (QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]))


def arn(name: str) -> str:
    return f"arn:aws:iam::{A}:role/{name}"


def _twin(tg: TrustGraph, per_role: bool, session: SolverSession) -> GraphQueries:
    out = GraphQueries(tg.estate, tg.zone, tg.graph, now=NOW)
    out.engine.per_role_demand = per_role
    out.engine.session = session
    return out


def _key(r: ReachResult) -> tuple[Any, ...]:
    """A reachable answer whole (:func:`answer_key`); another one's source, target and verdict only: its reason
    names the hops found blocked, and the reference also names those of carried states it made and the per-role
    search does not (they reach nothing the plain states do not reach: :mod:`trustgraph.queries.demandmap`)."""
    return answer_key(r) if r.verdict is Reach.REACHABLE else (r.source, r.target, r.verdict)


def _left_out(engine: ReachabilityEngine) -> int:
    """How many hops into a role the per-role engine asked with fewer carried kinds than the whole demand has."""
    every = _every_kind(engine.demand)
    return sum(1 for key in engine._leads if (engine.demand_kinds(key[1]) or frozenset()) != every)


def _every_kind(demand: CarryDemand) -> frozenset[str]:
    every = {k.lower() for k, _ in (*demand.tags, *demand.forced_tags)}
    if demand.source_identities or demand.forced_identities:
        every.add("aws:sourceidentity")
    return frozenset(every)


def _compare(tg: TrustGraph, sources: tuple[str | None, ...] = (None, "external"),
             solver: SolverOptions | None = None) -> tuple[int, int]:
    """Every (source, role) under each of :data:`OPTIONS`, asked of a per-role engine and a reference one sharing
    one solver session (which of several valid witnesses a hop gets depends on the order questions are asked in),
    compared field by field; returns (reachable answers, hops the per-role engine asked with fewer kinds)."""
    session = SolverSession(solver)
    fast, slow = _twin(tg, True, session), _twin(tg, False, session)
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
    reachable = 0
    for options in OPTIONS:
        for target in roles:
            for source in sources:
                new = fast.query(source, target, options)
                old = slow.query(source, target, options)
                assert [_key(r) for r in new] == [_key(r) for r in old], (source, target, options)
                reachable += sum(r.verdict is Reach.REACHABLE for r in new)
        for source in (*roles, f"account:{B}"):
            if source not in tg.graph:
                continue
            new_out = fast.engine.search(source, options)
            old_out = slow.engine.search(source, options)
            assert sorted(new_out.first) == sorted(old_out.first), (source, options)
            for target in roles:
                if target in old_out.first and target != source:
                    assert (_key(fast.engine.result_for(new_out, target))
                            == _key(slow.engine.result_for(old_out, target))), (source, target, options)
    return reachable, _left_out(fast.engine)


# ------------------------------------------------------------------------------------------------ what is a read
def _policy(*statements: dict[str, Any]) -> Policy:
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import Location

    return policy_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Location("p.json", "/Document"))


def test_policy_slots_reads_keys_values_and_resources() -> None:
    reads = _policy(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "a", "sts:SourceIdentity": "x"}}},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::1:role/${aws:PrincipalTag/cost}"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
         "Condition": {"StringLike": {"aws:RequestTag/project": "${aws:PrincipalTag/Owner}"}}})
    assert policy_slots(reads) == {"team", "aws:sourceidentity", "cost", "project", "owner"}
    plain = _policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:PrincipalAccount": "1", "aws:username": "${aws:username}"}}})
    assert policy_slots(plain) == frozenset()


# ------------------------------------------------------------------------------------------- hand-built chains
ASSUME_TAG = ["sts:AssumeRole", "sts:TagSession"]
TAGGING = {"PolicyName": "chain", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
     "Resource": f"arn:aws:iam::{A}:role/*"}]}}


def _reader_aside() -> TrustGraph:
    """B -> Entry (tags allowed) -> Hop1 -> Hop2 -> Reader (reads aws:PrincipalTag/team three hops after Entry; Hop1
    and Hop2 take a carried tag but let no new one be passed), and B -> Aside (tags allowed) -> Leaf: nothing after
    Aside reads a carried value."""
    reads = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    no_new = {"Null": {"aws:RequestTag/team": "true"}}
    outside = f"arn:aws:iam::{B}:root"
    return graph(account(A, roles=[
        role(A, "Entry", trust(allow_aws(outside, None, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Hop1", trust(allow_aws(arn("Entry"), no_new, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Hop2", trust(allow_aws(arn("Hop1"), no_new, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Reader", trust(allow_aws(arn("Hop2"), reads, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Aside", trust(allow_aws(outside, None, ASSUME_TAG)), inline=[TAGGING]),
        role(A, "Leaf", trust(allow_aws(arn("Aside"), None, ASSUME_TAG)), inline=[TAGGING]),
    ]), zone=zone_from_ids([A]))


def test_kinds_are_those_read_downstream() -> None:
    tg = _reader_aside()
    engine = ReachabilityEngine(tg.graph)
    assert engine.demand.tags == (("team", "blue"),)
    for name in ("Entry", "Hop1", "Hop2"):
        assert engine.demand_kinds(arn(name)) == {"team"}, name
    for name in ("Reader", "Aside", "Leaf"):
        assert engine.demand_kinds(arn(name)) == frozenset(), name
    assert ReachabilityEngine(tg.graph, per_role_demand=False).demand_kinds(arn("Aside")) is None


def test_a_tag_set_on_the_first_hop_is_read_three_hops_later() -> None:
    tg = _reader_aside()
    session = SolverSession()
    fast, slow = _twin(tg, True, session), _twin(tg, False, session)
    new, old = fast.can_reach(f"account:{B}", arn("Reader")), slow.can_reach(f"account:{B}", arn("Reader"))
    assert new.verdict is Reach.REACHABLE and answer_key(new) == answer_key(old)
    assert new.hops[0].context.get("aws:RequestTag/team") == ("blue",)
    reachable, left_out = _compare(tg, (None, "external", f"account:{B}"))
    assert reachable > 0 and left_out > 0


# ------------------------------------------------------------------------------------------ generated estates
_CONDITIONS: tuple[dict[str, Any] | None, ...] = (
    None,
    {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "blue"}},
    {"Null": {"aws:PrincipalTag/cost": "false"}},
    {"StringEquals": {"aws:RequestTag/team": ["blue", "red"]},
     "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}},
    {"StringEquals": {"aws:SourceIdentity": "bob"}},
    {"StringEquals": {"sts:SourceIdentity": ["alice", "bob"]}},
)
_ACTIONS = ("sts:AssumeRole", ASSUME_TAG, ["sts:AssumeRole", "sts:SetSourceIdentity"],
            ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"])


@st.composite
def chain_estates(draw: st.DrawFn) -> TrustGraph:
    """3 to 7 roles of A; role i trusts a few earlier roles (or B, for the first ones), under a drawn condition
    (none, reading a carried tag or source identity, pinning a transitive tag or a source identity) and a drawn
    action list (with or without sts:TagSession / sts:SetSourceIdentity); every role may assume every role."""
    n = draw(st.integers(3, 7))
    roles = []
    for i in range(n):
        earlier = [arn(f"R{j}") for j in range(i)]
        callers = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        if i < 2 or not callers or draw(st.booleans()):
            callers.append(f"arn:aws:iam::{B}:root")
        condition = draw(st.sampled_from(_CONDITIONS))
        actions = draw(st.sampled_from(_ACTIONS))
        roles.append(role(A, f"R{i}", trust(allow_aws(sorted(callers), condition, actions)), inline=[TAGGING]))
    return graph(account(A, roles=roles), zone=zone_from_ids([A]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain_estates())
def test_generated_chains(tg: TrustGraph) -> None:
    _compare(tg, (None, "external", f"account:{B}"))


def test_generated_chains_cover_left_out_values() -> None:
    """Some drawn estate has a hop asked with fewer kinds (the comparison above is not vacuous)."""
    seen: list[int] = []

    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(chain_estates())
    def run(tg: TrustGraph) -> None:
        seen.append(_compare(tg, (f"account:{B}",))[1])

    run()
    assert sum(seen) > 0


# ---------------------------------------------------------------------------------------------- small orgs
@pytest.mark.parametrize(("profile", "seed"), [("random", 6), ("random", 8), ("condition-heavy", 1)])
def test_small_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, profile, seed, 25) if profile == "random" else small_org(profile, seed, tmp_path)
    assert tg.engine.demand, "the estate must read a carried value"
    reachable, left_out = _compare(tg)
    assert reachable > 0 and left_out > 0


def test_undecided_hops_stay_unknown(tmp_path: Path) -> None:
    """Every hop that reaches z3 times out: the same sources are Unknown in both, none dropped."""
    tg = synthesized(tmp_path, "random", 6, 25)
    reachable, left_out = _compare(tg, (None,), SolverOptions(inject_unknown="timeout (injected)"))
    assert left_out > 0


@pytest.mark.parametrize("seed", [6, 8])
def test_scan_findings(seed: int, tmp_path: Path) -> None:
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import scan

    tg = synthesized(tmp_path, "random", seed, 25)
    found = []
    fewer = 0
    for per_role in (True, False):
        queries = GraphQueries(tg.estate, tg.zone, tg.graph, now=NOW)
        engine = queries.engine
        engine.per_role_demand = per_role
        every = _every_kind(engine.demand)
        kinds_of = engine.demand_kinds

        def counted(role: str, kinds_of: Any = kinds_of, every: frozenset[str] = every) -> frozenset[str] | None:
            nonlocal fewer
            kinds = kinds_of(role)
            fewer += kinds is not None and kinds != every
            return kinds

        engine.demand_kinds = counted  # type: ignore[method-assign]
        findings = scan(ScanContext(queries), select_checks(None))
        found.append([repr(f) for f in findings])
    assert fewer > 0
    assert found[0] == found[1] and found[0]


def test_the_demand_itself_is_unchanged() -> None:
    """The switch changes which hops ask the values, not the values (CarryDemand.choices with every kind)."""
    tg = _reader_aside()
    demand = ReachabilityEngine(tg.graph).demand
    trust_policy = tg.estate.role_by_arn[arn("Entry")].trust_policy
    from trustgraph.semantics.carried import NOTHING

    every = list(demand.choices(trust_policy, NOTHING))
    assert every and list(demand.choices(trust_policy, NOTHING, NOTHING, frozenset({"team"}))) == every
    assert list(demand.choices(trust_policy, NOTHING, NOTHING, frozenset())) == []
    assert isinstance(demand, CarryDemand)
