"""What a session carries along a chain (docs/semantics.md §1.6, §8.7): the search keeps a source identity and
transitive session tags in its states, every later hop is decided on them, and the witness of each hop shows them.

Each test is one rule, with its AWS source:

- IAM User Guide, "Monitor and control actions taken with assumed roles" (*Role chaining and cross-account
  requirements*): once set, a source identity persists on every chained session and cannot be changed; each later
  call needs sts:SetSourceIdentity in the next role's trust policy and the caller's identity policy; the chained
  call carries both aws:SourceIdentity and sts:SourceIdentity.
- IAM User Guide, "Pass session tags in AWS STS" (*Chaining roles with session tags*): transitive tags pass to every
  later session as its principal tags and stay transitive; a later call cannot pass another value for their key.
"""

from __future__ import annotations

from typing import Any

from trustgraph.api import TrustGraph
from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.semantics.carried import carried_after, carried_by
from trustgraph.semantics.request import Verdict

from .builders import V, account, allow_aws, graph, role, trust

A, B = "111111111111", "222222222222"
OUTSIDER = f"account:{B}"
ASSUME_SET = ["sts:AssumeRole", "sts:SetSourceIdentity"]
ASSUME_TAG = ["sts:AssumeRole", "sts:TagSession"]


def arn(name: str) -> str:
    return f"arn:aws:iam::{A}:role/{name}"


def allow_all(*actions: str) -> dict[str, Any]:
    """An identity policy allowing the actions on every role of A."""
    return {"PolicyName": "chain", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": f"arn:aws:iam::{A}:role/*"}]}}


def replayed(tg: TrustGraph, target: str) -> Any:
    """The answer for the outsider, each hop replayed, and the path agreeing with the chain specification: every
    caller after the first carries exactly what the previous call left its session (semantics.carried)."""
    r = tg.can_reach(OUTSIDER, target)
    if r.verdict is Reach.REACHABLE:
        assert all(h.replay().verdict is Verdict.ALLOW for h in r.hops)
        for before, after in zip(r.hops, r.hops[1:], strict=False):
            caller, _, request = before.evidence
            assert carried_by(after.evidence[0]) == carried_after(caller, request)
    return r


# ------------------------------------------------------------------------------------------------ source identity
def _si_chain(first_values: list[str], second_actions: list[str] | str, third_condition: dict[str, Any] | None
              ) -> TrustGraph:
    """B -> First (trust: a source identity among ``first_values`` must be set) -> Second -> Third."""
    first = {"StringEquals": {"sts:SourceIdentity": first_values}}
    ids = allow_all("sts:AssumeRole", "sts:SetSourceIdentity")
    return graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", first, ASSUME_SET)), inline=[ids]),
        role(A, "Second", trust(allow_aws(arn("First"), None, second_actions)), inline=[ids]),
        role(A, "Third", trust(allow_aws(arn("Second"), third_condition, ASSUME_SET))),
    ]), zone=zone_from_ids([A]))


def test_source_identity_set_on_hop_one_blocks_hop_two_whose_trust_lacks_set_source_identity() -> None:
    blocked = replayed(_si_chain(["alice"], "sts:AssumeRole", None), arn("Second"))
    assert blocked.verdict is Reach.UNREACHABLE
    assert "sts:SetSourceIdentity" in (blocked.reason or "")
    allowed = replayed(_si_chain(["alice"], ASSUME_SET, None), arn("Second"))
    assert allowed.verdict is Reach.REACHABLE and not allowed.approximations
    first, second = allowed.hops
    assert first.context["sts:SourceIdentity"] == ("alice",)
    # the chained call carries it in both keys, unchanged
    assert second.context["sts:SourceIdentity"] == ("alice",) and second.context["aws:SourceIdentity"] == ("alice",)


def test_a_condition_on_aws_source_identity_at_hop_three_is_met_only_by_values_hop_one_allows() -> None:
    bob = {"StringEquals": {"aws:SourceIdentity": "bob"}}
    only_alice = replayed(_si_chain(["alice"], ASSUME_SET, bob), arn("Third"))
    assert only_alice.verdict is Reach.UNREACHABLE
    either = replayed(_si_chain(["alice", "bob"], ASSUME_SET, bob), arn("Third"))
    assert either.verdict is Reach.REACHABLE and not either.approximations
    assert [h.context["sts:SourceIdentity"] for h in either.hops] == [("bob",)] * 3
    assert either.hops[2].context["aws:SourceIdentity"] == ("bob",)


def test_a_source_identity_set_by_choice_reaches_a_role_that_reads_aws_source_identity() -> None:
    """First does not require a source identity but lets the caller set one; Third reads aws:SourceIdentity, which
    only a session that carries one sends: the outsider sets it on hop one (AWS's CriticalRole_2 example)."""
    g = graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", None, ASSUME_SET)),
             inline=[allow_all("sts:AssumeRole", "sts:SetSourceIdentity")]),
        role(A, "Third", trust(allow_aws(arn("First"), {"StringLike": {"aws:SourceIdentity": ["Saanvi", "Diego"]}},
                                         ASSUME_SET))),
    ]), zone=zone_from_ids([A]))
    r = replayed(g, arn("Third"))
    assert r.verdict is Reach.REACHABLE and not r.approximations
    assert r.hops[1].context["aws:SourceIdentity"][0] in ("Saanvi", "Diego")


# --------------------------------------------------------------------------------------------- transitive tags
def _tag_chain(team: str) -> TrustGraph:
    """B -> First (trust: passing team=blue as a transitive tag is required) -> Second (trust: PrincipalTag team)."""
    pinned = {"StringEquals": {"aws:RequestTag/team": "blue"},
              "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}
    return graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", pinned, ASSUME_TAG)),
             inline=[allow_all("sts:AssumeRole", "sts:TagSession")]),
        role(A, "Second", trust(allow_aws(arn("First"), {"StringEquals": {"aws:PrincipalTag/team": team}},
                                          ASSUME_TAG))),
    ]), zone=zone_from_ids([A]))


def test_a_transitive_tag_pinned_at_hop_one_satisfies_aws_principal_tag_at_hop_two() -> None:
    r = replayed(_tag_chain("blue"), arn("Second"))
    assert r.verdict is Reach.REACHABLE and not r.approximations
    assert r.hops[1].context["aws:PrincipalTag/team"] == ("blue",)


def test_a_transitive_tag_pinned_at_hop_one_violates_another_value_at_hop_two() -> None:
    r = replayed(_tag_chain("red"), arn("Second"))
    assert r.verdict is Reach.UNREACHABLE


def test_a_session_carrying_a_transitive_tag_passes_it_again_when_the_next_trust_requires_transitive_keys() -> None:
    """Second requires TransitiveTagKeys team (and PrincipalTag team=blue). TransitiveTagKeys names only keys of tags
    the same call passes (conformance 118), and the session carrying team=blue may pass that tag again with the same
    value (only another value is refused: semantics.carried.tag_problem, conformance 118f): the chain is allowed.
    A search that held the carrying session to pass no tag of the carried key missed it (random:3-20k, 4 findings
    of external-path-to-admin lost with e31fcfc)."""
    second = {"StringEquals": {"aws:PrincipalTag/team": "blue"},
              "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}
    g = graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", {
            "StringEquals": {"aws:RequestTag/team": "blue"},
            "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}, ASSUME_TAG)),
             inline=[allow_all("sts:AssumeRole", "sts:TagSession")]),
        role(A, "Second", trust(allow_aws(arn("First"), second, ASSUME_TAG))),
    ]), zone=zone_from_ids([A]))
    r = replayed(g, arn("Second"))
    assert r.verdict is Reach.REACHABLE and not r.approximations
    hop = r.hops[1]
    assert hop.context["aws:RequestTag/team"] == ("blue",) and "team" in hop.context["sts:TransitiveTagKeys"]


def test_a_session_with_transitive_tags_needs_tag_session_at_the_next_trust() -> None:
    """The inherited tags pass into the next session, so the chained call needs sts:TagSession (practitioners'
    reports of EKS Pod Identity chains; docs/semantics.md §8.4)."""
    pinned = {"StringEquals": {"aws:RequestTag/team": "blue"},
              "ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": "team"}}
    g = graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", pinned, ASSUME_TAG)),
             inline=[allow_all("sts:AssumeRole", "sts:TagSession")]),
        role(A, "Second", trust(allow_aws(arn("First")))),
    ]), zone=zone_from_ids([A]))
    r = replayed(g, arn("Second"))
    assert r.verdict is Reach.UNREACHABLE


def test_estates_that_read_nothing_carried_keep_two_element_states() -> None:
    """Nothing in the estate reads aws:SourceIdentity or aws:PrincipalTag: no hop is asked for carried values, and
    every state is a plain (node, MFA) pair."""
    g = graph(account(A, roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", None, ASSUME_SET)),
             inline=[allow_all("sts:AssumeRole")]),
        role(A, "Second", trust(allow_aws(arn("First")))),
    ]), zone=zone_from_ids([A]))
    assert not g.engine.demand
    outcome = g.engine.search(OUTSIDER, QueryOptions.make())
    assert outcome.first and all(len(s) == 2 for s in outcome.visits)


def test_who_can_reach_agrees_with_the_forward_search_on_carried_paths() -> None:
    """The one-role query (a backward closure, then pruned forward searches) keeps the hops a session that carries
    nothing is refused but a carrying one is allowed: Second -> Third reads aws:SourceIdentity."""
    bob = {"StringEquals": {"aws:SourceIdentity": "bob"}}
    tg = _si_chain(["alice", "bob"], ASSUME_SET, bob)
    many = {r.source: r.verdict for r in tg.who_can_reach(arn("Third"))}
    assert many.get(OUTSIDER) is Reach.REACHABLE
    assert tg.can_reach(OUTSIDER, arn("Third")).verdict is Reach.REACHABLE


def test_a_value_pinned_by_the_setting_hop_and_matched_by_a_later_glob_is_tried() -> None:
    """First lets the caller set a source identity but only `bob` (it need not set one); Third reads
    aws:SourceIdentity with a glob. The value to carry is the one First names, which Third's glob matches."""

    def tg(allowed: str) -> TrustGraph:
        first = {"StringEqualsIfExists": {"sts:SourceIdentity": allowed}}
        return graph(account(A, roles=[
            role(A, "First", trust(allow_aws(f"arn:aws:iam::{B}:root", first, ASSUME_SET)),
                 inline=[allow_all("sts:AssumeRole", "sts:SetSourceIdentity")]),
            role(A, "Third", trust(allow_aws(arn("First"), {"StringLike": {"aws:SourceIdentity": "b*"}}, ASSUME_SET))),
        ]), zone=zone_from_ids([A]))

    r = replayed(tg("bob"), arn("Third"))
    assert r.verdict is Reach.REACHABLE and r.hops[1].context["aws:SourceIdentity"] == ("bob",)
    assert replayed(tg("alice"), arn("Third")).verdict is Reach.UNREACHABLE


def test_one_role_queries_follow_carried_sessions_when_nothing_reads_them() -> None:
    """First requires a source identity; nothing in the estate reads aws:SourceIdentity (no carried values are
    demanded), so the one-role query takes its shortest-path layers, which must keep the carried session."""
    for second_actions, expected in ((ASSUME_SET, Reach.REACHABLE), ("sts:AssumeRole", None)):
        tg = _si_chain(["alice"], second_actions, None)
        assert not tg.engine.demand
        many = {r.source: r for r in tg.who_can_reach(arn("Second"))}
        got = many.get(OUTSIDER)
        assert (got.verdict if got is not None else None) is expected
        if got is not None:
            assert got.hops[1].context["aws:SourceIdentity"] == ("alice",)
            assert got.hops == tg.can_reach(OUTSIDER, arn("Second")).hops
