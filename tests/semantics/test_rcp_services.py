"""Which actions resource control policies govern: the services of the AWS Organizations User Guide's list
(docs/semantics.md §11.3), and never a service-linked role's call."""

from __future__ import annotations

import pytest

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import MEMORY
from trustgraph.semantics.permissions import RCP_SERVICES, evaluate_permission, rcps_apply
from trustgraph.semantics.request import Caller, CallerKind

ACCOUNT = "111111111111"
USER = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{ACCOUNT}:user/u", account=ACCOUNT,
              identity_policies=(policy_from_json({"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, MEMORY),))
DENY_ALL = ((policy_from_json({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}, MEMORY),),)


@pytest.mark.parametrize("action", ["codebuild:StartBuild", "sts:AssumeRole", "s3:GetObject", "kms:Decrypt",
                                    "events:PutRule", "dynamodb:GetItem", "logs:PutLogEvents"])
def test_services_on_the_list_are_governed(action: str) -> None:
    assert rcps_apply(USER, action)
    d = evaluate_permission(USER, action, "*", {}, rcp_levels=DENY_ALL)
    assert d.verdict.value == "explicit-deny"


@pytest.mark.parametrize("action", ["iam:PutUserPolicy", "lambda:CreateFunction", "ec2:RunInstances",
                                    "cloudformation:CreateStack", "glue:CreateDevEndpoint", "ssm:SendCommand"])
def test_services_off_the_list_are_not(action: str) -> None:
    assert not rcps_apply(USER, action)
    assert evaluate_permission(USER, action, "*", {}, rcp_levels=DENY_ALL).allowed


def test_the_list_is_the_guides_and_a_service_linked_session_is_never_governed() -> None:
    assert len(RCP_SERVICES) == 62 and all(p == p.lower() and ":" not in p for p in RCP_SERVICES)
    slr = Caller(kind=CallerKind.ROLE_SESSION, account=ACCOUNT,
                 arn=f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/codebuild.amazonaws.com/AWSServiceRoleForX")
    assert not rcps_apply(slr, "codebuild:StartBuild")
