"""The change overlay (NEW = OLD + planned changes) and documents with values unknown until apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph import TrustGraph
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.overlay import (
    Attach,
    Delete,
    Detach,
    Membership,
    Overlay,
    Owner,
    PutGroup,
    PutInlinePolicy,
    PutManagedPolicy,
    PutRole,
    PutUser,
    SetAttached,
    SetGroupMembers,
    SetInlinePolicies,
    apply_overlay,
)
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.ingest.unknowns import UNKNOWN_FLAG, Unknown, is_marker, policy_with_unknowns
from trustgraph.model.condition import Operator
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location
from trustgraph.model.principal import PrincipalKind
from trustgraph.queries.results import Reach

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
ACCOUNT = "111122223333"
OUTSIDER = "999900001111"
HERE = Location("aws_iam_role.vendor", "")


def trust(principal: object, condition: object = None) -> dict[str, object]:
    st: dict[str, object] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


@pytest.fixture(scope="module")
def old() -> Estate:
    return load_estate([SAMPLE])


def overlay(*changes: object) -> Overlay:
    return Overlay(account=ACCOUNT, source="plan.json", changes=tuple(changes))  # type: ignore[arg-type]


def test_a_created_role_trusting_an_outside_root_is_reachable_and_old_is_untouched(old: Estate) -> None:
    doc = policy_from_json(trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}), HERE.child("assume_role_policy"),
                           kind="trust")
    new = apply_overlay(old, overlay(PutRole(name="Vendor", path="/ext/", trust_policy=doc, location=HERE)))
    role = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/ext/Vendor"]
    assert role.role_id.startswith("AROA") and role.location == HERE
    assert f"arn:aws:iam::{ACCOUNT}:role/ext/Vendor" not in old.role_by_arn
    assert len(new.account_by_id[ACCOUNT].roles) == len(old.account_by_id[ACCOUNT].roles) + 1
    assert new.sources[-1] == "plan.json"
    tg = TrustGraph(new)
    assert tg.can_reach(f"account:{OUTSIDER}", role.arn).verdict is Reach.REACHABLE


def test_update_keeps_id_and_policies_replace_changes_id(old: Estate) -> None:
    before = next(r for r in old.account_by_id[ACCOUNT].roles if r.inline_policies or r.managed_policy_arns)
    doc = policy_from_json(trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), HERE, kind="trust")
    updated = apply_overlay(old, overlay(PutRole(name=before.name, path=before.path, trust_policy=doc)))
    after = updated.role_by_arn[before.arn]
    assert after.role_id == before.role_id and after.trust_policy == doc
    assert after.inline_policies == before.inline_policies and after.managed_policy_arns == before.managed_policy_arns
    replaced = apply_overlay(old, overlay(PutRole(name=before.name, path=before.path, trust_policy=doc, replace=True)))
    assert replaced.role_by_arn[before.arn].role_id != before.role_id


def test_delete_role_and_policy_detaches_everywhere(old: Estate) -> None:
    snap = old.account_by_id[ACCOUNT]
    role = snap.roles[0]
    new = apply_overlay(old, overlay(Delete(kind="role", key=role.name)))
    assert role.arn not in new.role_by_arn and role.arn in old.role_by_arn
    attached = next((a for r in snap.roles for a in r.managed_policy_arns if a in snap.policy_by_arn), None)
    if attached is not None:
        gone = apply_overlay(old, overlay(Delete(kind="policy", key=attached)))
        assert all(attached not in r.managed_policy_arns for r in gone.account_by_id[ACCOUNT].roles)
        assert attached not in gone.account_by_id[ACCOUNT].policy_by_arn


def test_relations_apply_in_phases_whatever_the_order(old: Estate) -> None:
    doc = policy_from_json(trust({"Service": "ec2.amazonaws.com"}), HERE, kind="trust")
    admin = policy_from_json({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
                                                                     "Resource": "*"}}, HERE)
    arn = f"arn:aws:iam::{ACCOUNT}:policy/Admin"
    owner = Owner("role", "Worker")
    new = apply_overlay(old, overlay(
        Attach(owner=owner, policy=arn), PutInlinePolicy(owner=owner, policy_name="a", document=admin),
        SetAttached(owner=owner, policies=("arn:aws:iam::aws:policy/ReadOnlyAccess",)),
        Detach(owner=owner, policy="arn:aws:iam::aws:policy/ReadOnlyAccess"),
        PutManagedPolicy(arn=arn, name="Admin", document=admin), PutRole(name="Worker", trust_policy=doc),
        PutUser(name="dev"), PutGroup(name="devs"), Membership(user="dev", group="devs"),
        SetGroupMembers(group="devs", users=("dev",)),
    ))
    role = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/Worker"]
    # the exclusive set (phase 2) runs after the detach (phase 0), the attachment (phase 3) after both
    assert role.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess", arn)
    assert [p.name for p in role.inline_policies] == ["a"]
    assert new.user_by_arn[f"arn:aws:iam::{ACCOUNT}:user/dev"].groups == ("devs",)
    dropped = apply_overlay(new, Overlay(account=ACCOUNT, source="p2", changes=(
        SetInlinePolicies(owner=owner, names=()), Membership(user="dev", group="devs", add=False))))
    assert dropped.role_by_arn[role.arn].inline_policies == ()
    assert dropped.user_by_arn[f"arn:aws:iam::{ACCOUNT}:user/dev"].groups == ()


def test_changes_to_missing_entities_are_noted_not_dropped(old: Estate) -> None:
    new = apply_overlay(old, overlay(Attach(owner=Owner("role", "Nowhere"), policy="arn:aws:iam::aws:policy/X",
                                            location=Location("aws_iam_role_policy_attachment.x", ""))))
    notes = [f for f in new.account_by_id[ACCOUNT].flags if "Nowhere" in f.message]
    assert notes and notes[0].location.file == "aws_iam_role_policy_attachment.x"


def test_a_new_account_is_added(old: Estate) -> None:
    doc = policy_from_json(trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}), HERE, kind="trust")
    change = PutRole(name="R", trust_policy=doc)
    new = apply_overlay(old, Overlay(account="123456789012", source="p", changes=(change,)))
    assert "arn:aws:iam::123456789012:role/R" in new.role_by_arn
    assert [a.account_id for a in new.accounts] == sorted(a.account_id for a in new.accounts)


# ---------------------------------------------------------------------------------------------------------------
# Unknown values
# ---------------------------------------------------------------------------------------------------------------
def test_an_unknown_trust_policy_is_approximately_reachable_never_unreachable(old: Estate) -> None:
    doc = policy_with_unknowns(Unknown(HERE.child("assume_role_policy"), "the trust policy"), HERE, kind="trust")
    assert UNKNOWN_FLAG in doc.flags and is_marker(doc.statements[0].conditions[0])
    new = apply_overlay(old, overlay(PutRole(name="Later", trust_policy=doc, location=HERE)))
    tg = TrustGraph(new)
    answer = tg.can_reach(f"account:{OUTSIDER}", f"arn:aws:iam::{ACCOUNT}:role/Later", without=["sts:ExternalId"])
    assert answer.verdict is Reach.REACHABLE and answer.approximate


def test_an_unknown_external_id_still_requires_the_key(old: Estate) -> None:
    cond = {"StringEquals": {"sts:ExternalId": Unknown(Location("random_password.x", "/result"), "an external id")}}
    doc = policy_with_unknowns(trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, cond), HERE, kind="trust")
    ops = {c.operator for c in doc.statements[0].conditions}
    assert ops == {Operator.NULL, Operator.UNKNOWN}
    new = apply_overlay(old, overlay(PutRole(name="Guarded", trust_policy=doc)))
    tg = TrustGraph(new)
    arn = f"arn:aws:iam::{ACCOUNT}:role/Guarded"
    assert tg.can_reach(f"account:{OUTSIDER}", arn, without=["sts:ExternalId"]).verdict is Reach.UNREACHABLE
    with_id = tg.can_reach(f"account:{OUTSIDER}", arn)
    assert with_id.verdict is Reach.REACHABLE and with_id.approximate


def test_an_unknown_principal_splits_the_statement(old: Estate) -> None:
    principal = {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", Unknown(Location("aws_iam_role.y", "/arn"), "a role ARN")]}
    doc = policy_with_unknowns(trust(principal), HERE, kind="trust")
    known, guess = doc.statements
    assert [p.kind for p in known.principals or ()] == [PrincipalKind.ACCOUNT] and known.conditions == ()
    assert [p.kind for p in guess.principals or ()] == [PrincipalKind.ANY] and is_marker(guess.conditions[-1])
    new = apply_overlay(old, overlay(PutRole(name="Split", trust_policy=doc)))
    answer = TrustGraph(new).can_reach(f"account:{OUTSIDER}", f"arn:aws:iam::{ACCOUNT}:role/Split")
    assert answer.verdict is Reach.REACHABLE and answer.approximate


def test_a_negated_condition_keeps_its_known_values() -> None:
    cond = {"StringNotEquals": {"aws:PrincipalAccount": ["111111111111", Unknown(HERE, "an account")]}}
    doc = policy_with_unknowns(trust("*", cond), HERE, kind="trust")
    texts = {(c.operator, c.texts) for c in doc.statements[0].conditions if not is_marker(c)}
    assert texts == {(Operator.STRING_NOT_EQUALS, ("111111111111",))}


def test_an_unknown_deny_never_applies_and_a_known_document_is_unchanged() -> None:
    raw = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": Unknown(HERE)},
                                                   "Action": "sts:AssumeRole"}]}
    doc = policy_with_unknowns(raw, HERE, kind="trust")
    assert all(is_marker(st.conditions[-1]) for st in doc.statements)
    plain = trust("*")
    assert policy_with_unknowns(plain, HERE, kind="trust") == policy_from_json(plain, HERE, kind="trust")


def test_an_unknown_boundary_becomes_a_stand_in_policy(old: Estate) -> None:
    doc = policy_from_json(trust({"Service": "lambda.amazonaws.com"}), HERE, kind="trust")
    new = apply_overlay(old, overlay(PutRole(name="B", trust_policy=doc, boundary=Unknown(HERE, "a boundary"))))
    role = new.role_by_arn[f"arn:aws:iam::{ACCOUNT}:role/B"]
    assert role.boundary_arn is not None
    policy = new.account_by_id[ACCOUNT].policy_by_arn[role.boundary_arn]
    assert policy.document is not None and UNKNOWN_FLAG in policy.document.flags
    assert any(f.code == UNKNOWN_FLAG for f in new.account_by_id[ACCOUNT].flags)
