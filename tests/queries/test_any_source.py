"""Any principal is a source (docs/semantics.md §4): sessions of exported roles with their session name, and users,
roles and sessions of accounts nobody exported (attacker-controlled outside the zone, approximate inside it)."""

from __future__ import annotations

import pytest

from tests.queries.builders import account, allow_aws, assume_policy, graph, role, trust, user
from trustgraph.errors import UsageError
from trustgraph.model import Zone
from trustgraph.queries.results import Reach

A = "111111111111"
VENDOR = "777788889999"
VENDOR_ROLE = f"arn:aws:iam::{VENDOR}:role/VendorRole"
DEV = f"arn:aws:iam::{A}:role/Dev"
NIGHTLY = f"arn:aws:sts::{A}:assumed-role/Dev/nightly-job"
TARGET = f"arn:aws:iam::{A}:role/Target"
VENDOR_TARGET = f"arn:aws:iam::{A}:role/VendorAccess"
ALICE = f"arn:aws:iam::{A}:user/alice"


def _tg(zone: Zone | None = None):  # type: ignore[no-untyped-def]
    roles = [
        role(A, "Dev", trust(allow_aws(f"arn:aws:iam::{A}:root")), inline=[assume_policy(TARGET)]),
        role(A, "Target", trust(allow_aws(NIGHTLY))),
        role(A, "VendorAccess", trust(allow_aws(VENDOR_ROLE, {"StringEquals": {"sts:ExternalId": "tenant-42"}}))),
        role(A, "OtherVendor", trust(allow_aws(f"arn:aws:iam::{VENDOR}:role/SomeoneElse"))),
        role(A, "InsidePartner", trust(allow_aws("arn:aws:iam::999988887777:root"))),
    ]
    users = [user(A, "alice", inline=[assume_policy(DEV)])]
    return graph(account(A, roles=roles, users=users), zone=zone or Zone(accounts=frozenset({A})))


def test_role_of_an_unexported_account_reaches_a_role_that_trusts_it() -> None:
    tg = _tg()
    r = tg.can_reach(VENDOR_ROLE, VENDOR_TARGET)
    assert r.verdict is Reach.REACHABLE and not r.approximate
    hop = r.hops[0]
    assert hop.source == VENDOR_ROLE and hop.context["sts:ExternalId"] == ("tenant-42",)
    assert hop.caller is not None and hop.caller.startswith(f"arn:aws:sts::{VENDOR}:assumed-role/VendorRole/")
    assert hop.context["aws:PrincipalArn"] == (VENDOR_ROLE,)
    assert hop.replay().allowed


def test_the_source_arn_is_fixed() -> None:
    r = _tg().can_reach(VENDOR_ROLE, f"arn:aws:iam::{A}:role/OtherVendor")
    assert r.verdict is Reach.UNREACHABLE


def test_resolution_does_not_change_the_graph() -> None:
    tg = _tg()
    before = (tuple(tg.graph.nodes), tuple(tg.graph.edges(keys=True)))
    tg.can_reach(VENDOR_ROLE, VENDOR_TARGET)
    tg.can_reach(NIGHTLY, TARGET)
    tg.reachable_from(f"arn:aws:sts::{VENDOR}:assumed-role/VendorRole/s1")
    assert (tuple(tg.graph.nodes), tuple(tg.graph.edges(keys=True))) == before


def test_a_session_source_pins_its_session_name() -> None:
    tg = _tg()
    r = tg.can_reach(NIGHTLY, TARGET)
    assert r.verdict is Reach.REACHABLE
    assert r.hops[0].caller == NIGHTLY
    assert r.hops[0].context["aws:userid"][0].endswith(":nightly-job")
    assert tg.can_reach(f"arn:aws:sts::{A}:assumed-role/Dev/adhoc", TARGET).verdict is Reach.UNREACHABLE


def test_whoever_reaches_a_role_chooses_its_session_name() -> None:
    tg = _tg()
    r = tg.can_reach(DEV, TARGET)
    assert r.verdict is Reach.REACHABLE and r.hops[0].caller == NIGHTLY
    # a chain: alice assumes Dev naming the session nightly-job, then that session assumes Target
    r = tg.can_reach(ALICE, TARGET)
    assert r.verdict is Reach.REACHABLE and len(r.hops) == 2
    assert r.hops[0].context["sts:RoleSessionName"] == ("nightly-job",)
    assert r.hops[1].caller == NIGHTLY
    assert not r.approximate
    assert all(h.replay().allowed for h in r.hops)


def test_a_principal_missing_from_an_exported_account_is_an_error() -> None:
    tg = _tg()
    with pytest.raises(UsageError, match="not in the export of account 111111111111"):
        tg.can_reach(f"arn:aws:iam::{A}:role/Typo", TARGET)
    with pytest.raises(UsageError, match="has no role `Typo`"):
        tg.can_reach(f"arn:aws:sts::{A}:assumed-role/Typo/s1", TARGET)


def test_unexported_account_inside_the_zone_is_approximate_never_unreachable() -> None:
    tg = _tg(Zone(accounts=frozenset({A, "999988887777"})))
    r = tg.can_reach("arn:aws:iam::999988887777:user/carol", f"arn:aws:iam::{A}:role/InsidePartner")
    assert r.verdict is Reach.REACHABLE and r.approximate
    assert any("identity policies of" in a for h in r.hops for a in h.approximations)


def test_principals_of_another_partition_reach_nothing() -> None:
    tg = _tg()
    r = tg.can_reach(f"arn:aws-us-gov:iam::{VENDOR}:role/VendorRole", VENDOR_TARGET)
    assert r.verdict is Reach.UNREACHABLE


PARTNER = "999988887777"
PARTNER_ZONE = Zone(accounts=frozenset({A, PARTNER}))


def test_account_of_the_zone_that_is_not_exported_stands_for_its_principals() -> None:
    """`account:ID` of a zone account nobody exported: its principals with unknown identity policies (issue 13), the
    same as one of its principals named by ARN: reachable, approximate, never "unreachable" by assumption."""
    tg = _tg(PARTNER_ZONE)
    for spec in (f"account:{PARTNER}", f"arn:aws:iam::{PARTNER}:root"):
        r = tg.can_reach(spec, f"arn:aws:iam::{A}:role/InsidePartner")
        assert r.verdict is Reach.REACHABLE and r.approximate, spec
        assert r.source == r.hops[0].source == f"account:{PARTNER}"  # the root ARN is the account
        assert any(f"account {PARTNER} are unknown" in a for h in r.hops for a in h.approximations)
        assert r.hops[0].caller is not None and f"::{PARTNER}:" in r.hops[0].caller
        assert r.hops[0].replay().allowed


def test_account_of_the_zone_reaches_through_a_named_principal_of_it() -> None:
    """A trust policy naming one role of the unexported account admits the account's principals through it."""
    partner_role = f"arn:aws:iam::{PARTNER}:role/Deployer"
    tg = graph(account(A, roles=[role(A, "Deploy", trust(allow_aws(partner_role))),
                                 role(A, "Closed", trust(allow_aws(f"arn:aws:iam::{A}:root")))]),
               zone=PARTNER_ZONE)
    r = tg.can_reach(f"account:{PARTNER}", f"arn:aws:iam::{A}:role/Deploy")
    assert r.verdict is Reach.REACHABLE and r.approximate
    assert r.hops[0].context["aws:PrincipalArn"] == (partner_role,)
    closed = tg.can_reach(f"account:{PARTNER}", f"arn:aws:iam::{A}:role/Closed")
    assert closed.verdict is Reach.UNREACHABLE  # a trust that names only another account admits none of its principals
    assert [x.target for x in tg.reachable_from(f"account:{PARTNER}")] == [f"arn:aws:iam::{A}:role/Deploy"]


def test_account_outside_the_zone_that_no_policy_names_is_a_symbolic_outsider() -> None:
    """An outside account no trust policy names: admitted only where `*` is (as before, without a node added)."""
    roles = [role(A, "Public", trust(allow_aws("*"))), role(A, "Named", trust(allow_aws(f"arn:aws:iam::{A}:root")))]
    tg = graph(account(A, roles=roles), zone=Zone(accounts=frozenset({A})))
    stranger = "123412341234"
    assert tg.can_reach(f"account:{stranger}", f"arn:aws:iam::{A}:role/Public").verdict is Reach.REACHABLE
    assert tg.can_reach(f"account:{stranger}", f"arn:aws:iam::{A}:role/Named").verdict is Reach.UNREACHABLE
    assert f"account:{stranger}" not in tg.graph
