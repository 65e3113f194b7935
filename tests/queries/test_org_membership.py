"""Organization membership in queries (docs/semantics.md §5): loaded organizations data fixes it; an outsider that
no data lists chooses its own; a zone account that no data lists has an unknown one (answers approximate)."""

from __future__ import annotations

from tests.queries.builders import account, allow_aws, assume_policy, graph, role, trust, user
from trustgraph.model import Zone
from trustgraph.queries.results import Reach

A = "111111111111"
B = "222222222222"
TARGET = f"arn:aws:iam::{A}:role/Target"


def _estate(principal: str, org: str, *, orgs: dict[str, list[str]] | None = None, zone: Zone | None = None) -> object:
    target = role(A, "Target", trust(allow_aws(principal, {"StringEquals": {"aws:PrincipalOrgID": org}})))
    a = account(A, roles=[target], users=[user(A, "alice", inline=[assume_policy(TARGET)])])
    b = account(B, users=[user(B, "bob", inline=[assume_policy(TARGET)])])
    return graph(a, b, orgs=orgs, zone=zone)


def test_zone_account_without_organizations_data_is_not_assumed_outside_every_organization() -> None:
    tg = _estate(f"arn:aws:iam::{A}:root", "o-mine12345", zone=Zone(accounts=frozenset({A})))
    r = tg.can_reach(f"arn:aws:iam::{A}:user/alice", TARGET)
    assert r.verdict is Reach.REACHABLE
    assert r.hops[0].context["aws:PrincipalOrgID"] == ("o-mine12345",)
    assert any("organization membership of account" in a for a in r.approximations), r.approximations


def test_outsider_without_organizations_data_chooses_its_organization_exactly() -> None:
    tg = _estate(f"arn:aws:iam::{B}:root", "o-partner1234", zone=Zone(accounts=frozenset({A})))
    r = tg.can_reach(f"arn:aws:iam::{B}:user/bob", TARGET)
    assert r.verdict is Reach.REACHABLE
    assert r.hops[0].context["aws:PrincipalOrgID"] == ("o-partner1234",)
    assert not r.approximations


def test_outsider_cannot_choose_a_zone_organization() -> None:
    tg = _estate(f"arn:aws:iam::{B}:root", "o-mine12345",
                 zone=Zone(accounts=frozenset({A}), organizations=frozenset({"o-mine12345"})))
    assert tg.can_reach(f"arn:aws:iam::{B}:user/bob", TARGET).verdict is Reach.UNREACHABLE


def test_loaded_organizations_data_fixes_membership() -> None:
    tg = _estate(f"arn:aws:iam::{B}:root", "o-partner1234", orgs={"o-other12345": [B]},
                 zone=Zone(accounts=frozenset({A})))
    r = tg.can_reach(f"arn:aws:iam::{B}:user/bob", TARGET)
    assert r.verdict is Reach.UNREACHABLE
    tg = _estate(f"arn:aws:iam::{B}:root", "o-other12345", orgs={"o-other12345": [B]},
                 zone=Zone(accounts=frozenset({A})))
    r = tg.can_reach(f"arn:aws:iam::{B}:user/bob", TARGET)
    assert r.verdict is Reach.REACHABLE and not r.approximations


def _resource_org_estate(orgs: dict[str, list[str]] | None) -> object:
    target = role(A, "Target", trust(allow_aws(f"arn:aws:iam::{B}:root",
                                               {"StringEquals": {"aws:ResourceOrgID": "o-mine12345"}})))
    b = account(B, users=[user(B, "bob", inline=[assume_policy(TARGET)])])
    return graph(account(A, roles=[target]), b, orgs=orgs, zone=Zone(accounts=frozenset({A})))


def test_the_roles_organization_comes_from_loaded_data_or_is_unknown() -> None:
    bob = f"arn:aws:iam::{B}:user/bob"
    r = _resource_org_estate({"o-mine12345": [A]}).can_reach(bob, TARGET)
    assert r.verdict is Reach.REACHABLE and not r.approximations
    assert r.hops[0].context["aws:ResourceOrgID"] == ("o-mine12345",)
    assert _resource_org_estate({"o-other12345": [A]}).can_reach(bob, TARGET).verdict is Reach.UNREACHABLE
    r = _resource_org_estate(None).can_reach(bob, TARGET)
    assert r.verdict is Reach.REACHABLE and r.approximate
