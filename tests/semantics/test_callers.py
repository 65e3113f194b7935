"""Callers and targets built from an estate: policies, groups, boundaries, organizations, SCP/RCP levels."""

from __future__ import annotations

from typing import Any

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import AccountSnapshot, Group, InlinePolicy, ManagedPolicy, Role, User
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location
from trustgraph.model.organization import OrgAccount, Organization, OrgPolicy, OrgPolicyType
from trustgraph.model.policy import Policy
from trustgraph.semantics.callers import caller_for_role_session, caller_for_user, target_for_role
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Action, CallerKind, Verdict

A, M, X = "111111111111", "999999999999", "555555555555"


def pol(name: str, *statements: dict[str, Any], kind: str = "identity") -> Policy:
    return policy_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Location(name, ""),
                            kind=kind)  # type: ignore[arg-type]


ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
S3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
DENY_ASSUME = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
FULL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
TRUST_A = pol("trust.json", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                             "Action": "sts:AssumeRole"}, kind="trust")


def _estate(*, policies_known: bool = True, accounts_known: bool = True) -> Estate:
    def snapshot(acct: str) -> AccountSnapshot:
        managed = ManagedPolicy(arn=f"arn:aws:iam::{acct}:policy/assume", name="assume", document=pol("m.json", ASSUME))
        boundary = ManagedPolicy(arn=f"arn:aws:iam::{acct}:policy/boundary", name="boundary",
                                 document=pol("b.json", S3, kind="boundary"))
        group = Group(arn=f"arn:aws:iam::{acct}:group/g", name="g", group_id="AGPAGGGGGGGGGGGG1", account=acct,
                      managed_policy_arns=(managed.arn,))
        users = (
            User(arn=f"arn:aws:iam::{acct}:user/grouped", name="grouped", user_id="AIDAGROUPEDGROUP1", account=acct,
                 groups=("g", "missing")),
            User(arn=f"arn:aws:iam::{acct}:user/bounded", name="bounded", user_id="AIDABOUNDEDBOUND1", account=acct,
                 inline_policies=(InlinePolicy(name="i", document=pol("i.json", ASSUME)),),
                 boundary_arn=boundary.arn),
            User(arn=f"arn:aws:iam::{acct}:user/lost", name="lost", user_id="AIDALOSTLOSTLOST1", account=acct,
                 managed_policy_arns=(managed.arn,), boundary_arn=f"arn:aws:iam::{acct}:policy/gone"),
        )
        roles = (
            Role(arn=f"arn:aws:iam::{acct}:role/R", name="R", role_id="AROARRRRRRRRRRRR1", account=acct,
                 trust_policy=TRUST_A, tags=(("Team", "red"), ("env", "prod"))),
            Role(arn=f"arn:aws:iam::{acct}:role/Dev", name="Dev", role_id="AROADEVDEVDEVDEV1", account=acct,
                 trust_policy=TRUST_A, managed_policy_arns=(managed.arn,), tags=(("team", "blue"),)),
        )
        return AccountSnapshot(account_id=acct, users=users, groups=(group,), roles=roles,
                               policies=(managed, boundary))

    org = Organization(
        org_id="o-mine", management_account_id=M,
        accounts=(OrgAccount(account_id=A, parents=("r-1", "ou-1")), OrgAccount(account_id=M, parents=("r-1",))),
        policies=(
            OrgPolicy(policy_id="p-full", name="FullAWSAccess", type=OrgPolicyType.SCP,
                      document=pol("scp-full.json", FULL, kind="scp"), targets=("r-1", "ou-1", A, M)),
            OrgPolicy(policy_id="p-deny", name="NoAssume", type=OrgPolicyType.SCP,
                      document=pol("scp-deny.json", DENY_ASSUME, kind="scp"), targets=("ou-1", "r-1")),
            OrgPolicy(policy_id="p-rcp", name="RcpDeny", type=OrgPolicyType.RCP,
                      document=pol("rcp.json", {**DENY_ASSUME, "Principal": "*"}, kind="rcp"), targets=("r-1",)),
        ),
        policies_known=policies_known, accounts_known=accounts_known,
    )
    return Estate(accounts=(snapshot(A), snapshot(M), snapshot(X)), organizations=(org,))


def test_user_collects_group_policies_and_org_facts() -> None:
    estate = _estate()
    u = estate.user_by_arn[f"arn:aws:iam::{A}:user/grouped"]
    c = caller_for_user(estate, u)
    assert c.kind is CallerKind.IAM_USER and c.unique_id == "AIDAGROUPEDGROUP1" and c.user_name == "grouped"
    assert [p.location.file for p in c.identity_policies] == ["m.json"]
    assert c.org_id == "o-mine" and c.org_paths == ("o-mine/r-1/ou-1/",)
    assert c.scp_levels is not None and len(c.scp_levels) == 3
    assert [[p.location.file for p in level] for level in c.scp_levels] == [
        ["scp-full.json", "scp-deny.json"], ["scp-full.json", "scp-deny.json"], ["scp-full.json"]]
    assert not c.mfa and caller_for_user(estate, u, mfa_present=True).mfa


def test_boundaries_resolved_and_unresolved() -> None:
    estate = _estate()
    bounded = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{A}:user/bounded"])
    assert bounded.boundary is not None and not bounded.boundary_unresolved
    lost = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{A}:user/lost"])
    assert lost.boundary is None and lost.boundary_unresolved


def test_role_session_tags_and_policies() -> None:
    estate = _estate()
    dev = estate.role_by_arn[f"arn:aws:iam::{A}:role/Dev"]
    c = caller_for_role_session(estate, dev, session_name="s1", source_identity="alice",
                                session_tags=(("Team", "green"),))
    assert c.kind is CallerKind.ROLE_SESSION and c.session_arn == f"arn:aws:sts::{A}:assumed-role/Dev/s1"
    assert c.tags == (("Team", "green"),)
    assert c.source_identity == "alice" and [p.location.file for p in c.identity_policies] == ["m.json"]


def test_org_policies_restrict_members_not_the_management_account() -> None:
    estate = _estate()
    member = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{A}:user/grouped"])
    manager = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{M}:user/grouped"])
    assert manager.scp_levels == ()
    role_a = estate.role_by_arn[f"arn:aws:iam::{A}:role/R"]
    role_m = estate.role_by_arn[f"arn:aws:iam::{M}:role/R"]
    assert target_for_role(estate, role_m).rcp_levels == ()
    tgt = target_for_role(estate, role_a)
    assert tgt.rcp_levels is not None and len(tgt.rcp_levels) == 3

    def hop(caller, target):
        return evaluate_hop(caller, target, build_request(caller, Action.ASSUME_ROLE, target=target,
                                                          now="2026-11-28T00:00:00Z"))

    d = hop(member, target_for_role(estate, estate.role_by_arn[f"arn:aws:iam::{X}:role/R"]))
    assert d.verdict is Verdict.EXPLICIT_DENY  # the member's SCP denies, wherever the role is
    assert {s.location.file for s in d.statements} == {"scp-deny.json"}


def test_accounts_outside_loaded_orgs_and_unknown_policies_are_unrestricted() -> None:
    estate = _estate()
    outsider = caller_for_user(estate, estate.user_by_arn[f"arn:aws:iam::{X}:user/grouped"])
    assert outsider.scp_levels is None and outsider.org_id is None and outsider.org_paths == ()
    unknown = _estate(policies_known=False)
    member = caller_for_user(unknown, unknown.user_by_arn[f"arn:aws:iam::{A}:user/grouped"])
    assert member.scp_levels is None and member.org_id == "o-mine"
    assert target_for_role(unknown, unknown.role_by_arn[f"arn:aws:iam::{A}:role/R"]).rcp_levels is None


def test_request_context_keys_are_lower_cased_once_and_shared() -> None:
    """A scan keeps tens of thousands of request contexts: their lower-cased keys are one string each."""
    from trustgraph.semantics.request import Request

    a = Request(action=Action.ASSUME_ROLE, context={"aws:PrincipalArn": ("x",), "sts:ExternalId": ("1",)})
    b = Request(action=Action.ASSUME_ROLE, context={"AWS:principalarn": ("y",)})
    assert dict(a.context) == {"aws:principalarn": ("x",), "sts:externalid": ("1",)}
    assert next(iter(a.context)) is next(iter(b.context))
    assert a.get("AWS:PRINCIPALARN") == ("x",)
