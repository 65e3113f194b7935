"""The scan on the two-account sample with --zone 111122223333 --zone o-a1b2c3d4e5 (issue 5, "Done when")."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.checks.finding import Finding, FindingKind
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks

from .helpers import load_context

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
A = "arn:aws:iam::111122223333:role/"
OUTSIDE_CHECKS = {"external-without-external-id", "external-without-mfa", "public-role", "external-path-to-admin"}


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    ctx = load_context(SAMPLE, ("111122223333", "o-a1b2c3d4e5"))
    return list(run_checks(ctx, CHECKS).findings)


def _of(findings: list[Finding], check: str, role: str) -> list[Finding]:
    return [f for f in findings if f.check_id == check and f.role == A + role]


def test_no_unknown_answers(findings: list[Finding]) -> None:
    assert [f for f in findings if f.kind is FindingKind.UNKNOWN] == []


def test_github_deploy_role_is_oidc_any_subject(findings: list[Finding]) -> None:
    [f] = _of(findings, "oidc-any-subject", "GitHubActionsDeployRole")
    assert f.severity.value == "critical"
    assert _of(findings, "oidc-any-subject", "GitHubActionsScopedRole") == []


def test_vendor_integration_role_lacks_external_id(findings: list[Finding]) -> None:
    [f] = _of(findings, "external-without-external-id", "VendorIntegrationRole")
    assert f.source == "account:444455556666" and len(f.path) == 1
    assert f.severity.value == "high"


def test_wildcard_external_id_only_role_is_public(findings: list[Finding]) -> None:
    [f] = _of(findings, "public-role", "WildcardExternalIdOnlyRole")
    assert f.severity.value == "critical"
    assert "sts:ExternalId" in f.path[0].context
    assert _of(findings, "external-without-external-id", "WildcardExternalIdOnlyRole") == []


def test_chain_to_break_glass_admin(findings: list[Finding]) -> None:
    [f] = _of(findings, "external-path-to-admin", "BreakGlassAdminRole")
    assert f.source == "account:444455556666"
    assert [h.target for h in f.path] == [A + "VendorIntegrationRole", A + "DeployRole", A + "BreakGlassAdminRole"]
    assert all(h.context for h in f.path)
    [eid] = _of(findings, "external-without-external-id", "BreakGlassAdminRole")
    assert eid.severity.value == "critical"  # admin role


def test_org_wide_read_role_through_two_hop_chain_never_public(findings: list[Finding]) -> None:
    [f] = _of(findings, "external-without-external-id", "OrgWideReadRole")
    assert [h.target for h in f.path] == [A + "VendorIntegrationRole", A + "OrgWideReadRole"]
    assert f.path[1].context["aws:PrincipalOrgID"] == ("o-a1b2c3d4e5",)
    assert _of(findings, "public-role", "OrgWideReadRole") == []


def test_org_guarded_role_is_not_reachable_from_outside(findings: list[Finding]) -> None:
    assert [f for f in findings if f.role == A + "CrossAccountOrgGuardedRole" and f.check_id in OUTSIDE_CHECKS] == []


def test_roles_that_need_an_external_id_or_nobody(findings: list[Finding]) -> None:
    flagged = {f.role for f in findings if f.check_id == "external-without-external-id"}
    for name in ("AuditRoleWithExternalId", "StaleTrustRole", "AdminRole", "AppServerEc2Role", "LambdaExecRole",
                 "AWSServiceRoleForSupport"):
        assert not any(r.endswith("/" + name) for r in flagged), name


def test_stale_trust_role_is_dead(findings: list[Finding]) -> None:
    [f] = _of(findings, "dead-trust-statement", "StaleTrustRole")
    assert f.statements[0].file.endswith("gaad-111122223333.json")


def test_service_roles_are_not_confused_deputies(findings: list[Finding]) -> None:
    assert [f for f in findings if f.check_id == "service-confused-deputy"] == []
