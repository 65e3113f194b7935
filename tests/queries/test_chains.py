"""Chains across accounts, MFA carried at most one hop, a Deny cutting a chain, trusted-IdP subject globs."""

from __future__ import annotations

from trustgraph.ingest.zone_file import zone_from_ids
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.zone import TrustedProvider, Zone
from trustgraph.queries.results import Reach
from trustgraph.semantics.request import Verdict

from .builders import account, allow_aws, assume_policy, graph, role, trust, user

A, B, C = "111111111111", "222222222222", "333333333333"


def arn(acct: str, name: str) -> str:
    return f"arn:aws:iam::{acct}:role/{name}"


MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_three_hop_chain_across_three_accounts_replays() -> None:
    tg = graph(
        account(A, roles=[role(A, "Entry", trust(allow_aws(f"arn:aws:iam::{B}:root")),
                               inline=[assume_policy(arn(C, "Middle"))])]),
        account(C, roles=[role(C, "Middle", trust(allow_aws(arn(A, "Entry"))),
                               inline=[assume_policy(arn(C, "Admin"))]),
                          role(C, "Admin", trust(allow_aws(arn(C, "Middle"))), admin=True)]),
        zone=zone_from_ids([A, C]),
    )
    r = tg.can_reach(f"account:{B}", arn(C, "Admin"))
    assert r.verdict is Reach.REACHABLE
    assert [h.target for h in r.hops] == [arn(A, "Entry"), arn(C, "Middle"), arn(C, "Admin")]
    assert all(h.replay().verdict is Verdict.ALLOW for h in r.hops)
    assert tg.graph.nodes[arn(C, "Admin")]["admin"]
    two = tg.can_reach(f"account:{B}", arn(C, "Middle"))
    assert len(two.hops) == 2


def _mfa_chain():  # user -> First (no condition) -> Second (MFA) -> Third (MFA)
    return graph(account(A, users=[user(A, "alice", inline=[assume_policy(arn(A, "First"))])], roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{A}:user/alice")),
             inline=[assume_policy(arn(A, "Second"))]),
        role(A, "Second", trust(allow_aws(arn(A, "First"), MFA_TRUE)), inline=[assume_policy(arn(A, "Third"))]),
        role(A, "Third", trust(allow_aws(arn(A, "Second"), MFA_TRUE))),
    ]))


def test_mfa_reaches_one_hop_past_a_user() -> None:
    tg = _mfa_chain()
    alice = f"arn:aws:iam::{A}:user/alice"
    second = tg.can_reach(alice, arn(A, "Second"))
    assert second.verdict is Reach.REACHABLE
    assert second.hops[0].context["aws:MultiFactorAuthPresent"] == ("true",)
    assert second.hops[1].context["aws:MultiFactorAuthPresent"] == ("true",)
    third = tg.can_reach(alice, arn(A, "Third"))
    assert third.verdict is Reach.UNREACHABLE  # Second's session was obtained by a role session: no MFA


def test_session_obtained_by_a_role_never_satisfies_mfa() -> None:
    tg = graph(account(A, roles=[
        role(A, "Start", trust(allow_aws(f"arn:aws:iam::{B}:root")), inline=[assume_policy(arn(A, "Next"))]),
        role(A, "Next", trust(allow_aws(arn(A, "Start"))), inline=[assume_policy(arn(A, "Guarded"))]),
        role(A, "Guarded", trust(allow_aws(arn(A, "Next"), MFA_TRUE))),
    ]), zone=zone_from_ids([A]))
    assert tg.can_reach(f"account:{B}", arn(A, "Next")).verdict is Reach.REACHABLE
    assert tg.can_reach(f"account:{B}", arn(A, "Guarded")).verdict is Reach.UNREACHABLE


def test_deny_in_a_middle_hop_cuts_the_chain() -> None:
    deny_b = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
              "Condition": {"StringEquals": {"aws:PrincipalAccount": B}}}
    open_chain = graph(account(A, roles=[
        role(A, "Entry", trust(allow_aws(f"arn:aws:iam::{B}:root")), inline=[assume_policy(arn(A, "Mid"))]),
        role(A, "Mid", trust(allow_aws(arn(A, "Entry"))), inline=[assume_policy(arn(A, "End"))]),
        role(A, "End", trust(allow_aws(arn(A, "Mid")))),
    ]), zone=zone_from_ids([A]))
    assert open_chain.can_reach(f"account:{B}", arn(A, "End")).verdict is Reach.REACHABLE
    deny_sessions = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                     "Condition": {"ArnEquals": {"aws:PrincipalArn": arn(A, "Entry")}}}
    cut = graph(account(A, roles=[
        role(A, "Entry", trust(allow_aws(f"arn:aws:iam::{B}:root")), inline=[assume_policy(arn(A, "Mid"))]),
        role(A, "Mid", trust(allow_aws(arn(A, "Entry")), deny_sessions), inline=[assume_policy(arn(A, "End"))]),
        role(A, "End", trust(allow_aws(arn(A, "Mid")))),
    ]), zone=zone_from_ids([A]))
    r = cut.can_reach(f"account:{B}", arn(A, "End"))
    assert r.verdict is Reach.UNREACHABLE
    blocked = cut.can_reach(f"account:{B}", arn(A, "Mid"))
    assert blocked.verdict is Reach.UNREACHABLE and "aws:PrincipalArn" in (blocked.reason or "")
    assert deny_b  # the Deny on the account itself is exercised in the org test below


def test_org_guarded_role_reached_through_an_in_org_session() -> None:
    org_only = {"StringEquals": {"aws:PrincipalOrgID": "o-mine123456"}}
    tg = graph(
        account(A, roles=[
            role(A, "Vendor", trust(allow_aws(f"arn:aws:iam::{B}:root"))),
            role(A, "OrgOnly", trust({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                                      "Condition": org_only})),
        ]),
        orgs={"o-mine123456": [A]},
        zone=zone_from_ids([A, "o-mine123456"]),
    )
    direct = tg.can_reach(f"account:{B}", arn(A, "OrgOnly"), max_hops=1)
    assert direct.verdict is Reach.UNREACHABLE
    r = tg.can_reach(f"account:{B}", arn(A, "OrgOnly"))
    assert r.verdict is Reach.REACHABLE and len(r.hops) == 2
    assert r.hops[1].context["aws:PrincipalOrgID"] == ("o-mine123456",)


def _github_role(name: str, sub: str) -> dict:
    provider = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    return role(A, name, trust({
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": sub}}}))


def test_trusted_idp_subject_globs_decide_who_is_external() -> None:
    provider = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
    zone = Zone(accounts=frozenset({A}), identity_providers=(TrustedProvider(
        provider=provider, provider_pattern=parse_pattern(provider, wildcards=True, variables=False),
        subjects=("repo:acme/*",), subject_patterns=(parse_pattern("repo:acme/*", wildcards=True,
                                                                    variables=False),)),))
    tg = graph(account(A, roles=[_github_role("Pinned", "repo:acme/*"), _github_role("Prefix", "repo:acme*")]),
               zone=zone)
    results = tg.external_access()
    reached = {r.target for r in results if r.verdict is Reach.REACHABLE}
    assert arn(A, "Prefix") in reached
    assert arn(A, "Pinned") not in reached
    [prefix] = [r for r in results if r.target == arn(A, "Prefix")]
    sub = prefix.hops[0].context["token.actions.githubusercontent.com:sub"][0]
    assert sub.startswith("repo:acme") and not sub.startswith("repo:acme/")


SET_SOURCE_IDENTITY = ["sts:AssumeRole", "sts:SetSourceIdentity"]


def _source_identity_chain(required: bool):  # account B -> Entry (maybe requires a source identity) -> Next
    condition = {"StringLike": {"sts:SourceIdentity": "*"}} if required else None
    return graph(
        account(A, roles=[
            role(A, "Entry", trust(allow_aws(f"arn:aws:iam::{B}:root", condition, SET_SOURCE_IDENTITY)),
                 inline=[assume_policy(arn(A, "Next"))]),
            role(A, "Next", trust(allow_aws(arn(A, "Entry")))),
        ]),
        zone=zone_from_ids([A]),
    )


def test_a_hop_that_needs_no_source_identity_hands_none_on() -> None:
    """docs/semantics.md §1.6: whoever sets a source identity binds every later session to it; a caller that need
    not set one does not, and the path stays exact."""
    r = _source_identity_chain(required=False).can_reach(f"account:{B}", arn(A, "Next"))
    assert r.verdict is Reach.REACHABLE
    assert all("sts:SourceIdentity" not in h.context for h in r.hops)
    assert not r.approximations


def test_a_source_identity_set_on_hop_one_is_carried_and_blocks_a_trust_without_set_source_identity() -> None:
    """Entry's trust requires a source identity, so Entry's session carries it and the chained call to Next needs
    sts:SetSourceIdentity in Next's trust policy and Entry's identity policy (IAM User Guide, "Monitor and control
    actions taken with assumed roles"): Next's trust allows only sts:AssumeRole, so the path is blocked, exactly
    (it used to be reported reachable and approximate, docs/semantics.md §8.7)."""
    r = _source_identity_chain(required=True).can_reach(f"account:{B}", arn(A, "Next"))
    assert r.verdict is Reach.UNREACHABLE
    assert "sts:SetSourceIdentity" in (r.reason or "")


def test_mfa_age_is_any_age_the_session_allows() -> None:
    """aws:MultiFactorAuthAge is the seconds since the MFA authentication, not 0 (docs/semantics.md §1.6)."""
    older = {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericGreaterThan": {"aws:MultiFactorAuthAge": "600"}}
    tg = graph(account(A, users=[user(A, "alice", inline=[assume_policy(arn(A, "First"))])], roles=[
        role(A, "First", trust(allow_aws(f"arn:aws:iam::{A}:user/alice")), inline=[assume_policy(arn(A, "Second"))]),
        role(A, "Second", trust(allow_aws(arn(A, "First"), older))),
    ]))
    r = tg.can_reach(f"arn:aws:iam::{A}:user/alice", arn(A, "Second"))
    assert r.verdict is Reach.REACHABLE
    age = r.hops[1].context["aws:MultiFactorAuthAge"]
    assert float(age[0]) > 600
    assert all(h.replay().verdict is Verdict.ALLOW for h in r.hops)
