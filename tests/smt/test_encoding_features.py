"""Encoding features: closed requests, free session names, multi-valued slots and tag coupling, pinned time, IPs."""

from __future__ import annotations

import pytest

from tests.smt.helpers import NOW_MS, A, B, allow, deny, root, session, solver, target, user
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.solve import MAX_STRUCTURE_BITS, KeyConstraint, Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

OUTSIDER_B = SymbolicCaller(kind=CallerKind.IAM_USER, account=B)
TAGGING = ["sts:AssumeRole", "sts:TagSession"]


def test_closed_makes_unmentioned_keys_absent() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "*"}}))
    assert isinstance(solve_hop(user(B), t, Action.ASSUME_ROLE, closed=True), Unsat)
    assert isinstance(solve_hop(user(B), t, Action.ASSUME_ROLE, closed=False), Sat)
    given = [KeyConstraint("sts:ExternalId", "equals", ("ab",))]
    assert isinstance(solve_hop(user(B), t, Action.ASSUME_ROLE, closed=True, constraints=given),
                      Sat)


def test_free_session_name_is_chosen_to_match_a_session_principal() -> None:
    t = target(allow({"AWS": f"arn:aws:sts::{A}:assumed-role/Dev/s9"}))
    caller = session(A, "Dev", session_name=None)
    result = solve_hop(caller, t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat) and result.caller.session_name == "s9"
    fixed = session(A, "Dev", session_name="other")
    assert isinstance(solve_hop(fixed, t, Action.ASSUME_ROLE), Unsat)


def test_two_for_any_value_conditions_need_two_tag_slots() -> None:
    t = target(allow(root(B), {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]},
                               "ForAnyValue:StringLike": {"aws:TagKeys": ["b*"]}}, TAGGING))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat)
    keys = result.request.context["aws:tagkeys"]
    assert "a" in keys and any(k.startswith("b") for k in keys)
    assert "aws:requesttag/a" in result.request.context  # every listed tag key carries a tag


def test_tag_keys_list_exactly_the_tags_passed() -> None:
    t = target(allow(root(B), {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
                               "StringEquals": {"aws:RequestTag/b": "x"}}, TAGGING))
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE), Unsat)


def test_session_tags_need_tag_session_in_the_trust_policy() -> None:
    t = target(allow(root(B), {"StringEquals": {"aws:RequestTag/team": "x"}}))
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE), Unsat)
    t2 = target(allow(root(B), {"StringEquals": {"aws:RequestTag/team": "x"}}, TAGGING))
    result = solve_hop(OUTSIDER_B, t2, Action.ASSUME_ROLE)
    assert isinstance(result, Sat) and result.request.context["aws:requesttag/team"] == ("x",)


@pytest.mark.parametrize("reference", [False, True], ids=["fast", "reference"])
def test_transitive_tag_keys_are_session_tags(reference: bool) -> None:
    """Passing sts:TransitiveTagKeys passes session tags: without sts:TagSession in the trust policy no request meets
    a condition that needs it present (conformance row 117); with it, the witness passes the key."""
    ttk = {"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": ["team"]}}
    denied = solve_hop(OUTSIDER_B, target(allow(root(B), ttk)), Action.ASSUME_ROLE, session=solver(reference=reference))
    assert isinstance(denied, Unsat)
    result = solve_hop(OUTSIDER_B, target(allow(root(B), ttk, TAGGING)), Action.ASSUME_ROLE,
                       session=solver(reference=reference))
    assert isinstance(result, Sat) and result.decision.allowed
    assert "team" in result.request.context["sts:transitivetagkeys"]


def test_pinned_time_decides_date_conditions() -> None:
    t = target(allow(root(B), {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, now_ms=NOW_MS), Unsat)
    free = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE)
    assert isinstance(free, Sat) and free.request.context["aws:currenttime"][0] < "2020"


def test_ip_ranges_and_negation_in_a_deny() -> None:
    t = target(allow(root(B)), deny("*", {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat)
    ip = result.request.context["aws:sourceip"][0]
    assert ip.startswith("203.0.113.") or ip.lower().startswith("2001:db8:")
    via_vpce = [KeyConstraint("aws:SourceIp", "absent")]
    assert isinstance(solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE, constraints=via_vpce), Unsat)


def test_numeric_mfa_age_needs_mfa() -> None:
    t = target(allow(root(B), {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    assert isinstance(solve_hop(user(B), t, Action.ASSUME_ROLE), Unsat)
    assert isinstance(solve_hop(user(B, mfa=True), t, Action.ASSUME_ROLE), Sat)


def test_one_statement_per_customer_is_one_structural_bit() -> None:
    """A vendor role with one ExternalId statement per customer: interchangeable statements form one group."""
    sts = [allow(root(B), {"StringEquals": {"sts:ExternalId": f"id{i:02d}"}}) for i in range(40)]
    t = target(*sts)
    result = solve_hop(user(B), t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat) and result.request.context["sts:externalid"][0].startswith("id")
    absent = [KeyConstraint("sts:ExternalId", "absent")]
    assert isinstance(solve_hop(user(B), t, Action.ASSUME_ROLE, constraints=absent), Unsat)


def test_too_many_distinct_conditional_statements_is_unknown() -> None:
    """Statements the evaluator tells apart (here: one per SCP level) stay separate bits; past the limit the answer
    is Unknown, never Unsat."""
    from dataclasses import replace

    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import Location

    levels = tuple(
        (policy_from_json({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"sts:ExternalId": f"bad{i}"}}}]},
            Location(f"scp{i}.json", ""), kind="scp"),)
        for i in range(MAX_STRUCTURE_BITS + 1))
    caller = replace(user(B), scp_levels=levels, org_id="o-x")
    result = solve_hop(caller, target(allow(root(B))), Action.ASSUME_ROLE, session=solver("concrete_first"))
    assert isinstance(result, Unknown) and "structural expansion" in result.reason
    # concrete-first finds an allowed request (no ExternalId) before any structure is expanded: a replayed Sat
    guessed = solve_hop(caller, target(allow(root(B))), Action.ASSUME_ROLE)
    assert isinstance(guessed, Sat) and guessed.decision.allowed
    assert "sts:externalid" not in guessed.request.context


def test_free_dates_decode_to_valid_iso_dates() -> None:
    t = target(allow(root(B), {"DateGreaterThan": {"aws:CurrentTime": "9000-01-01T00:00:00Z"}}))
    result = solve_hop(OUTSIDER_B, t, Action.ASSUME_ROLE)
    assert isinstance(result, Sat)
    assert result.request.context["aws:currenttime"][0] > "9000"
    far = target(allow(root(B), {"DateGreaterThan": {"aws:CurrentTime": "99999999999999"}}))  # epoch seconds
    assert isinstance(solve_hop(OUTSIDER_B, far, Action.ASSUME_ROLE), Unsat)
