"""external-without-external-id, external-without-mfa, public-role and external-path-to-admin on small estates."""

from __future__ import annotations

from pathlib import Path

from trustgraph.checks.finding import FindingKind, Severity

from .helpers import (
    ALLOW_ALL,
    ORG,
    A,
    B,
    assume_policy,
    findings_of,
    gaad,
    role,
    role_arn,
    single_role,
    stmt,
    trust,
    write_estate,
)

B_ROOT = {"AWS": f"arn:aws:iam::{B}:root"}


# -- external-without-external-id -------------------------------------------------------------------------------
def test_outside_account_without_external_id_is_high(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT)))
    assert f.severity is Severity.HIGH and f.kind is FindingKind.FINDING
    assert f.source == f"account:{B}"  # the most specific source
    assert [(h.source, h.target) for h in f.path] == [(f"account:{B}", role_arn("R"))]
    assert "sts:ExternalId" not in f.path[0].context
    assert f.statements and f.statements[0].pointer.startswith("/RoleDetailList/0/AssumeRolePolicyDocument")


def test_external_id_string_equals_is_not_flagged(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "customer-42"}}
    assert single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT, condition=cond))) == []


def test_external_id_if_exists_is_flagged(tmp_path: Path) -> None:
    cond = {"StringEqualsIfExists": {"sts:ExternalId": "customer-42"}}
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT, condition=cond)))
    assert f.source == f"account:{B}"


def test_admin_role_is_critical(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT)), policies=[ALLOW_ALL])
    assert f.severity is Severity.CRITICAL


def test_chain_without_external_id_reports_the_path(tmp_path: Path) -> None:
    # B -> Vendor (no ExternalId) -> Inner (trusts Vendor only): Inner is reachable from outside in two hops
    vendor = role("Vendor", trust(stmt(B_ROOT)), policies=[assume_policy(role_arn("Inner"))])
    inner = role("Inner", trust(stmt({"AWS": role_arn("Vendor")})))
    d = write_estate(tmp_path / "e", {A: gaad(vendor, inner)})
    by_role = {f.role: f for f in findings_of(d, "external-without-external-id")}
    chain = by_role[role_arn("Inner")]
    assert [h.target for h in chain.path] == [role_arn("Vendor"), role_arn("Inner")]
    assert chain.path[0].source == f"account:{B}"


def test_inside_principals_only_are_not_flagged(tmp_path: Path) -> None:
    assert single_role(tmp_path, "external-without-external-id",
                       trust(stmt({"AWS": f"arn:aws:iam::{A}:root"}))) == []


def test_federated_sources_are_left_to_federation_checks(tmp_path: Path) -> None:
    doc = trust(stmt({"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"}, "sts:AssumeRoleWithSAML"))
    assert single_role(tmp_path, "external-without-external-id", doc) == []


def test_over_approximation_is_marked(tmp_path: Path) -> None:
    cond = {"StringFooBar": {"aws:SourceIp": "203.0.113.9"}}  # unknown operator: assumed to hold in an Allow
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT, condition=cond)))
    assert f.approximate and any("StringFooBar" in a for a in f.approximations)


def test_exact_answers_are_not_marked(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt(B_ROOT)))
    assert not f.approximate and f.approximations == ()


# -- external-without-mfa ----------------------------------------------------------------------------------------
def test_outside_account_without_mfa(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-mfa", trust(stmt(B_ROOT)))
    assert f.severity is Severity.MEDIUM and f.source == f"account:{B}"
    assert f.path[0].context.get("aws:MultiFactorAuthPresent", ("false",)) != ("true",)


def test_mfa_required_is_not_flagged(tmp_path: Path) -> None:
    cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert single_role(tmp_path, "external-without-mfa", trust(stmt(B_ROOT, condition=cond))) == []


def test_external_id_is_no_mfa(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "customer-42"}}
    [f] = single_role(tmp_path, "external-without-mfa", trust(stmt(B_ROOT, condition=cond)))
    assert f.path[0].context["sts:ExternalId"] == ("customer-42",)


# -- public-role -------------------------------------------------------------------------------------------------
def test_star_with_external_id_is_public(tmp_path: Path) -> None:
    cond = {"StringEquals": {"sts:ExternalId": "shared-secret"}}
    [f] = single_role(tmp_path, "public-role", trust(stmt({"AWS": "*"}, condition=cond)))
    assert f.severity is Severity.CRITICAL and f.source == "*"
    assert f.path[0].context["sts:ExternalId"] == ("shared-secret",)


def test_star_pinned_to_zone_organization_is_not_public(tmp_path: Path) -> None:
    cond = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    assert single_role(tmp_path, "public-role", trust(stmt({"AWS": "*"}, condition=cond))) == []


def test_for_all_values_org_id_is_public(tmp_path: Path) -> None:
    cond = {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}}
    [f] = single_role(tmp_path, "public-role", trust(stmt({"AWS": "*"}, condition=cond)))
    assert "aws:PrincipalOrgID" not in f.path[0].context


def test_named_outside_account_is_not_public(tmp_path: Path) -> None:
    assert single_role(tmp_path, "public-role", trust(stmt(B_ROOT))) == []


def test_star_pinned_to_another_named_organization_is_not_public(tmp_path: Path) -> None:
    # a stranger's account is not a member of an organization someone named: only that organization's are
    cond = {"StringEquals": {"aws:PrincipalOrgID": "o-vendor12345"}}
    assert single_role(tmp_path, "public-role", trust(stmt({"AWS": "*"}, condition=cond))) == []


def test_not_principal_allow_is_public(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "public-role", trust(stmt(B_ROOT, key="NotPrincipal")))
    assert f.severity is Severity.CRITICAL


def test_deny_for_outsiders_makes_star_not_public(tmp_path: Path) -> None:
    deny = stmt({"AWS": "*"}, effect="Deny", condition={"StringNotEquals": {"aws:PrincipalAccount": A}})
    assert single_role(tmp_path, "public-role", trust(stmt({"AWS": "*"}), deny)) == []


def test_bare_star_principal_is_public(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "public-role", trust(stmt("*")))
    assert f.check_id == "public-role"


# -- external-path-to-admin --------------------------------------------------------------------------------------
def _chain(tmp_path: Path, admin_trusts_vendor_directly: bool) -> Path:
    vendor = role("Vendor", trust(stmt(B_ROOT)), policies=[assume_policy(role_arn("Admin"))])
    principal = B_ROOT if admin_trusts_vendor_directly else {"AWS": role_arn("Vendor")}
    admin = role("Admin", trust(stmt(principal)), policies=[ALLOW_ALL])
    return write_estate(tmp_path / "e", {A: gaad(vendor, admin)})


def test_two_hop_path_to_admin_is_critical(tmp_path: Path) -> None:
    [f] = findings_of(_chain(tmp_path, False), "external-path-to-admin")
    assert f.role == role_arn("Admin") and f.severity is Severity.CRITICAL
    assert f.source == f"account:{B}"
    assert [h.target for h in f.path] == [role_arn("Vendor"), role_arn("Admin")]
    assert all(h.context for h in f.path)


def test_direct_trust_of_admin_is_not_a_chain(tmp_path: Path) -> None:
    # one hop: external-without-external-id reports it (critical), not this check
    assert findings_of(_chain(tmp_path, True), "external-path-to-admin") == []


def test_chain_to_non_admin_is_not_reported(tmp_path: Path) -> None:
    vendor = role("Vendor", trust(stmt(B_ROOT)), policies=[assume_policy(role_arn("Inner"))])
    inner = role("Inner", trust(stmt({"AWS": role_arn("Vendor")})))
    d = write_estate(tmp_path / "e", {A: gaad(vendor, inner)})
    assert findings_of(d, "external-path-to-admin") == []


def test_class_source_when_no_outside_account_is_named(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "external-without-external-id", trust(stmt({"AWS": "*"})))
    assert f.source == "external"
    assert f.path[0].source == "external"


def test_roles_of_outside_accounts_are_not_reviewed(tmp_path: Path) -> None:
    inside = role("Mine", trust(stmt({"AWS": "*"})))
    outside = role("Theirs", trust(stmt({"AWS": "*"})), account=B)
    d = write_estate(tmp_path / "e", {A: gaad(inside), B: gaad(outside)})
    assert {f.role for f in findings_of(d, "public-role")} == {role_arn("Mine")}


def test_shared_questions_are_solved_once(tmp_path: Path) -> None:
    from trustgraph.checks.registry import CHECKS_BY_ID

    from .helpers import load_context

    d = _chain(tmp_path, False)
    ctx = load_context(d)
    first = list(CHECKS_BY_ID["external-path-to-admin"].run(ctx))
    calls = ctx.engine.solver_calls
    again = list(CHECKS_BY_ID["external-path-to-admin"].run(ctx))
    assert first == again and ctx.engine.solver_calls == calls
    options = ctx.options()
    assert ctx.reach("external", role_arn("Admin"), options) is ctx.reach("external", role_arn("Admin"), options)
