"""service-confused-deputy, vacuous-condition, dead-trust-statement and invalid-trust-policy on small estates."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.checks.finding import Severity
from trustgraph.checks.services import SERVICES, acts_for_others

from .helpers import GITHUB, A, B, single_role, stmt, trust

B_ROOT = {"AWS": f"arn:aws:iam::{B}:root"}


# -- service-confused-deputy -------------------------------------------------------------------------------------
def test_config_without_source_account(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "service-confused-deputy", trust(stmt({"Service": "config.amazonaws.com"})))
    assert f.severity is Severity.MEDIUM and f.source == "service:config.amazonaws.com"
    assert "aws:SourceAccount" not in f.path[0].context


def test_config_with_source_account(tmp_path: Path) -> None:
    cond = {"StringEquals": {"aws:SourceAccount": A}}
    doc = trust(stmt({"Service": "config.amazonaws.com"}, condition=cond))
    assert single_role(tmp_path, "service-confused-deputy", doc) == []


def test_config_with_source_arn_of_the_account(tmp_path: Path) -> None:
    cond = {"ArnLike": {"aws:SourceArn": f"arn:aws:config:*:{A}:*"}}
    doc = trust(stmt({"Service": "config.amazonaws.com"}, condition=cond))
    assert single_role(tmp_path, "service-confused-deputy", doc) == []


def test_source_account_of_a_foreign_account_is_flagged(tmp_path: Path) -> None:
    cond = {"StringLike": {"aws:SourceAccount": "*"}}
    doc = trust(stmt({"Service": "sns.amazonaws.com"}, condition=cond))
    [f] = single_role(tmp_path, "service-confused-deputy", doc)
    assert f.path[0].context["aws:SourceAccount"][0] != A


@pytest.mark.parametrize("service", ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])
def test_pass_role_services_are_not_flagged(tmp_path: Path, service: str) -> None:
    assert single_role(tmp_path, "service-confused-deputy", trust(stmt({"Service": service}))) == []


def test_service_table() -> None:
    assert acts_for_others("config.amazonaws.com") and not acts_for_others("ec2.amazonaws.com")
    assert not acts_for_others("unknown.amazonaws.com")
    assert all(s.source for s in SERVICES)
    assert len({s.principal for s in SERVICES}) == len(SERVICES)


# -- vacuous-condition -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("condition", [
    {"StringLike": {"sts:ExternalId": "*"}},
    {"StringEqualsIfExists": {"sts:ExternalId": "customer-42"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringNotEquals": {"sts:ExternalId": "customer-42"}},
])
def test_vacuous_conditions_on_caller_chosen_keys(tmp_path: Path, condition: dict[str, object]) -> None:
    [f] = single_role(tmp_path, "vacuous-condition", trust(stmt(B_ROOT, condition=condition)))
    assert f.severity is Severity.MEDIUM
    assert f.statements[0].pointer.endswith("/Condition/" + next(iter(condition)) + "/"
                                            + next(iter(next(iter(condition.values())))))


def test_for_all_values_on_a_key_that_may_be_absent(tmp_path: Path) -> None:
    cond = {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    [f] = single_role(tmp_path, "vacuous-condition", trust(stmt({"AWS": "*"}, condition=cond)))
    assert "absent" in f.message


def test_condition_implied_by_the_principal(tmp_path: Path) -> None:
    cond = {"StringEquals": {"aws:PrincipalAccount": B}}
    [f] = single_role(tmp_path, "vacuous-condition", trust(stmt(B_ROOT, condition=cond)))
    assert "every value" in f.message


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"sts:ExternalId": "customer-42"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:PrincipalAccount": "555566667777"}},  # contradicts the principal: dead, not vacuous
    {"Null": {"sts:ExternalId": "false"}},
])
def test_restricting_conditions_are_not_vacuous(tmp_path: Path, condition: dict[str, object]) -> None:
    assert single_role(tmp_path, "vacuous-condition", trust(stmt(B_ROOT, condition=condition))) == []


def test_org_pinned_star_is_not_vacuous(tmp_path: Path) -> None:
    cond = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    assert single_role(tmp_path, "vacuous-condition", trust(stmt({"AWS": "*"}, condition=cond))) == []


# -- dead-trust-statement ----------------------------------------------------------------------------------------
def test_stale_unique_id_is_dead(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "dead-trust-statement", trust(stmt({"AWS": "AIDAJQABLZS4A3QDU576Q"})))
    assert f.severity is Severity.LOW
    assert f.statements[0].pointer == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"


def test_external_id_on_a_federated_action_is_dead(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "x-123"}}
    doc = trust(stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", cond))
    [f] = single_role(tmp_path, "dead-trust-statement", doc)
    assert f.check_id == "dead-trust-statement"


def test_contradictory_conditions_are_dead(tmp_path: Path) -> None:
    cond = {"StringEquals": {"aws:PrincipalAccount": "555566667777"}}
    [f] = single_role(tmp_path, "dead-trust-statement", trust(stmt(B_ROOT, condition=cond)))
    assert f.role.endswith(":role/R")


def test_live_statement_is_not_dead(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "customer-42"}}
    assert single_role(tmp_path, "dead-trust-statement", trust(stmt(B_ROOT, condition=cond))) == []


def test_companion_statements_are_not_grants(tmp_path: Path) -> None:
    doc = trust(stmt(B_ROOT), stmt(B_ROOT, "sts:TagSession", {"StringEquals": {"aws:PrincipalAccount": "5" * 12}}))
    assert single_role(tmp_path, "dead-trust-statement", doc) == []


# -- invalid-trust-policy ----------------------------------------------------------------------------------------
def test_not_principal_in_trust_policy(tmp_path: Path) -> None:
    doc = trust(stmt(B_ROOT, key="NotPrincipal"))
    [f] = single_role(tmp_path, "invalid-trust-policy", doc)
    assert f.severity is Severity.MEDIUM and "NotPrincipal" in f.message
    assert f.statements[0].pointer == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"


def test_partial_wildcard_principal(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "invalid-trust-policy", trust(stmt({"AWS": "arn:aws:iam::*:root"})))
    assert "partial wildcard" in f.message


def test_keys_differing_only_in_case(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "a-1", "sts:externalid": "b-2"}}
    findings = single_role(tmp_path, "invalid-trust-policy", trust(stmt(B_ROOT, condition=cond)))
    assert findings and all("differ only in case" in f.message for f in findings)


def test_valid_policy_is_not_flagged(tmp_path: Path) -> None:
    assert single_role(tmp_path, "invalid-trust-policy", trust(stmt(B_ROOT), stmt({"AWS": "*"}))) == []
