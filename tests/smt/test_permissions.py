"""Effective identity permissions: the evaluator (specification), the z3 question for one call, and the
administrator question (admin / admin-equivalent), on hand-built traps and random policies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_policy import policy_document

from trustgraph.graph.admin import admin_status
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.semantics.permissions import evaluate_permission, permission_context
from trustgraph.semantics.request import Caller, CallerKind
from trustgraph.smt.permissions import (
    PermissionSat,
    PermissionUnsat,
    covers_everything,
    iam_actions_shape,
    solve_permission,
)

ACCOUNT = "111111111111"
USER = f"arn:aws:iam::{ACCOUNT}:user/u"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"


def pol(*statements: dict[str, Any], name: str = "p") -> Policy:
    return policy_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Location(f"{name}.json", ""))


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user(*policies: Policy, boundary: Policy | None = None,
         scps: tuple[tuple[Policy, ...], ...] | None = None) -> Caller:
    return Caller(kind=CallerKind.IAM_USER, arn=USER, account=ACCOUNT, unique_id="AIDAEXAMPLEEXAMPLE001",
                  user_name="u", identity_policies=policies, boundary=boundary, scp_levels=scps)


def role(*policies: Policy) -> Caller:
    return Caller(kind=CallerKind.ROLE_SESSION, arn=ROLE, account=ACCOUNT, unique_id="AROAEXAMPLEEXAMPLE001",
                  session_name="s", identity_policies=policies)


NOT_IAM = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}

ADMIN_CASES = [
    ("star", [pol(allow("*"))], "yes"),
    ("iam:* plus NotAction iam:* in two policies", [pol(allow("iam:*")), pol(NOT_IAM)], "yes"),
    ("NotAction iam:* alone", [pol(NOT_IAM)], "no"),
    ("split by resource across policies", [pol(allow("*", "arn:aws:*:*:*:*")), pol(allow("*", "arn:aws-cn:*")),
                                           pol(allow("*", "arn:aws-us-gov:*"))], "no"),
    ("split by resource, every partition", [pol(allow("*", "arn:aws:*")), pol(allow("*", "arn:aws-*"))], "yes"),
    ("Allow * with Deny iam:Put*", [pol(allow("*"), deny("iam:Put*"))], "no"),
    ("Allow * with a Deny of iam:* in another policy", [pol(allow("*")), pol(deny("iam:*"))], "no"),
    ("Allow * with a Deny only over plain HTTP", [pol(allow("*"), deny("*", Condition={
        "Bool": {"aws:SecureTransport": "false"}}))], "yes"),
    ("Allow * only with MFA (a user can present it)", [pol(allow("*", Condition={
        "Bool": {"aws:MultiFactorAuthPresent": "true"}}))], "yes"),
    ("Allow * only for another principal", [pol(allow("*", Condition={
        "StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/other"}}))], "no"),
    ("Allow * for every session (a condition every caller meets)", [pol(allow("*", Condition={
        "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}))], "yes"),
]


@pytest.mark.parametrize(("name", "policies", "verdict"), ADMIN_CASES, ids=[c[0] for c in ADMIN_CASES])
def test_every_action_on_every_resource(name: str, policies: list[Policy], verdict: str) -> None:
    answer = covers_everything(user(*policies), timeout_ms=120_000)  # a loaded machine must not turn it unknown
    assert answer.verdict == verdict, answer
    if verdict == "no":
        # the witness pair is refused by the evaluator for every request shape the solver could choose
        assert answer.action and answer.resource
        result = solve_permission(user(*policies), answer.action, answer.resource)
        assert isinstance(result, PermissionUnsat)


def test_lists_of_service_wildcards_cover_only_their_services() -> None:
    services = [f"{s}:*" for s in ("iam", "s3", "ec2", "lambda", "sts", "kms")]
    answer = covers_everything(user(pol(allow(services))))
    assert answer.verdict == "no" and answer.action.split(":")[0] not in {"iam", "s3", "ec2", "lambda", "sts", "kms"}
    assert covers_everything(user(pol(allow(services))), action_shape=iam_actions_shape()).verdict == "yes"


def test_scps_take_part_when_loaded() -> None:
    scp_full = pol(allow("*"), name="scp-full")
    scp_deny = pol(deny("organizations:LeaveOrganization"), name="scp-deny")
    assert covers_everything(user(pol(allow("*")), scps=((scp_full,), (scp_full, scp_deny)))).verdict == "no"
    # SCPs are a ceiling every principal of the account shares: still an administrator, within what they allow
    status = admin_status(user(pol(allow("*")), scps=((scp_full,), (scp_full, scp_deny))))
    assert status.level == "admin" and "within what its account's SCPs allow" in status.reason
    assert admin_status(user(pol(allow("*")), scps=((scp_full,),))).level == "admin"
    # ... but the escalation calls themselves are decided with the SCPs
    guard = pol(allow("*"), deny("iam:PutUserPolicy"), name="scp-guard")
    put = pol(allow("iam:PutUserPolicy", USER))
    assert admin_status(user(put)).level == "admin-equivalent"
    assert admin_status(user(put, scps=((guard,),))).level == ""


def test_boundary_limits_administrators() -> None:
    s3_only = pol(allow("s3:*"), name="boundary")
    assert admin_status(user(pol(allow("*")), boundary=s3_only)).level == ""
    assert admin_status(user(pol(allow("*")), boundary=pol(allow("*"), name="b2"))).level == "admin"


@pytest.mark.parametrize(("policies", "level"), [
    ([pol(allow("iam:PutUserPolicy", USER))], "admin-equivalent"),
    ([pol(allow("iam:Put*", "arn:aws:iam::*:user/${aws:username}"))], "admin-equivalent"),
    ([pol(allow("iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/someone-else"))], ""),
    ([pol(allow("iam:PutUserPolicy", USER)), pol(deny("iam:PutUserPolicy"))], ""),
    ([pol(allow("iam:AttachUserPolicy", USER, Condition={"ArnEquals": {
        "iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}))], ""),
    ([pol(allow("iam:AttachUserPolicy", USER, Condition={"ArnLike": {
        "iam:PolicyARN": "arn:aws:iam::aws:policy/*"}}))], "admin-equivalent"),
    ([pol(allow("iam:*"), deny("iam:*User*"))], ""),
], ids=["put-on-self", "put-on-self-by-variable", "put-on-other", "allow-and-deny", "attach-readonly-only",
        "attach-any-aws-policy", "iam-star-minus-user-actions"])
def test_admin_equivalent_by_managing_itself(policies: list[Policy], level: str) -> None:
    assert admin_status(user(*policies)).level == level


def test_role_managing_itself() -> None:
    assert admin_status(role(pol(allow("iam:PutRolePolicy", ROLE)))).level == "admin-equivalent"
    assert admin_status(role(pol(allow("iam:PutUserPolicy", "*")))).level == ""


def test_one_call_with_fixed_request_keys() -> None:
    passrole = pol(allow("iam:PassRole", "*", Condition={"StringEquals": {
        "iam:PassedToService": "lambda.amazonaws.com"}}))
    lam = {"iam:PassedToService": ("lambda.amazonaws.com",)}
    ok = solve_permission(user(passrole), "iam:PassRole", ROLE, fixed=lam)
    assert isinstance(ok, PermissionSat) and ok.context["iam:passedtoservice"] == ("lambda.amazonaws.com",)
    ec2 = {"iam:PassedToService": ("ec2.amazonaws.com",)}
    no = solve_permission(user(passrole), "iam:PassRole", ROLE, fixed=ec2)
    assert isinstance(no, PermissionUnsat)


def test_the_solver_chooses_what_the_caller_controls() -> None:
    p = pol(allow("iam:CreateAccessKey", "*", Condition={"StringLike": {"aws:UserAgent": "tool/*"}}))
    result = solve_permission(user(p), "iam:CreateAccessKey", USER)
    assert isinstance(result, PermissionSat)
    assert result.context["aws:useragent"][0].startswith("tool/")
    assert evaluate_permission(result.caller, "iam:CreateAccessKey", USER, result.context).allowed
    # the request that chooses nothing is refused: the evaluator alone would not have found it
    assert not evaluate_permission(user(p), "iam:CreateAccessKey", USER, permission_context(user(p))).allowed


def test_unsat_names_the_blocking_deny() -> None:
    result = solve_permission(user(pol(allow("iam:*")), pol(deny("iam:*"), name="guard")), "iam:CreateAccessKey",
                              USER)
    assert isinstance(result, PermissionUnsat)
    assert any("guard.json" in r for r in result.reasons)


ACTIONS = ["iam:PutUserPolicy", "iam:PassRole", "s3:GetObject", "lambda:CreateFunction", "sts:AssumeRole"]
RESOURCES = [USER, ROLE, "arn:aws:s3:::bucket/key", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"]


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(policy_document(trust=False), min_size=1, max_size=2), action=st.sampled_from(ACTIONS),
       resource=st.sampled_from(RESOURCES))
def test_solver_and_evaluator_agree_on_random_policies(docs: list[Any], action: str, resource: str) -> None:
    """A Sat witness replays as allowed (checked inside), unless the answer rests on an over-approximation it
    names (a construct the encoding cannot model); an Unsat answer means the evaluator refuses the request that
    chooses nothing, with and without MFA."""
    caller = user(*(policy_from_json(d, Location("r.json", "")) for d in docs))
    result = solve_permission(caller, action, resource, timeout_ms=2000)
    if isinstance(result, PermissionSat):
        assert result.decision.allowed or result.approximations
    elif isinstance(result, PermissionUnsat):
        for mfa in (False, True):
            from dataclasses import replace

            shape = replace(caller, mfa=mfa)
            assert not evaluate_permission(shape, action, resource, permission_context(shape)).allowed
