"""oidc-any-subject and saml-missing-audience on small estates, and the issuer table."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.checks.finding import FindingKind, Severity
from trustgraph.checks.issuers import ISSUERS, issuer_for

from .helpers import GITHUB, SAML, single_role, stmt, trust

GH_SUB = "token.actions.githubusercontent.com:sub"
GH_AUD = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
WEB = "sts:AssumeRoleWithWebIdentity"


def _gh(sub_condition: dict[str, dict[str, object]] | None) -> dict[str, object]:
    cond = dict(GH_AUD)
    if sub_condition:
        cond.update(sub_condition)
    return trust(stmt({"Federated": GITHUB}, WEB, cond))


@pytest.mark.parametrize("sub", [
    None,                                                       # no sub condition at all
    {"StringLike": {GH_SUB: "repo:acme*"}},                     # prefix without the slash: repo:acme-evil/x
    {"StringLike": {GH_SUB: "repo:*/deploy:ref:refs/heads/main"}},  # wildcard in the owner part
    {"StringLike": {GH_SUB: ["repo:acme/*", "repo:other/*"]}},  # two owners named
])
def test_github_subject_admitting_other_owners(tmp_path: Path, sub: dict[str, dict[str, object]] | None) -> None:
    [f] = single_role(tmp_path, "oidc-any-subject", _gh(sub))
    assert f.severity is Severity.CRITICAL and f.kind is FindingKind.FINDING
    assert f.source == f"federated:{GITHUB}"
    other = f.path[0].context[GH_SUB][0]
    first_owner = f.message.split("(owner `", 1)[1].split("`", 1)[0]
    assert other.startswith("repo:") and not other.startswith(f"repo:{first_owner}/")


@pytest.mark.parametrize("sub", ["repo:acme/*", "repo:acme/app:ref:refs/heads/main", "repo:acme/app:*"])
def test_github_subject_pinned_to_one_owner(tmp_path: Path, sub: str) -> None:
    assert single_role(tmp_path, "oidc-any-subject", _gh({"StringLike": {GH_SUB: sub}})) == []


def test_cognito_without_aud_is_flagged_and_with_aud_not(tmp_path: Path) -> None:
    amr = {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
    open_doc = trust(stmt({"Federated": "cognito-identity.amazonaws.com"}, WEB, amr))
    [f] = single_role(tmp_path / "a", "oidc-any-subject", open_doc)
    assert f.source == "federated:cognito-identity.amazonaws.com"
    pinned = {**amr, "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"}}
    assert single_role(tmp_path / "b", "oidc-any-subject",
                       trust(stmt({"Federated": "cognito-identity.amazonaws.com"}, WEB, pinned))) == []


def test_single_tenant_provider_is_not_checked(tmp_path: Path) -> None:
    eks = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"
    assert single_role(tmp_path, "oidc-any-subject", trust(stmt({"Federated": eks}, WEB))) == []


def test_issuer_table() -> None:
    gh = issuer_for("token.actions.githubusercontent.com")
    assert gh is not None and gh.owner_of("repo:acme/app:ref:refs/heads/main") == "acme"
    assert gh.owner_glob("acme") == "repo:acme/*"
    assert issuer_for("oidc.circleci.com/org/1234").tenant_in_issuer
    assert issuer_for("oidc.eks.us-east-1.amazonaws.com/id/X") is None
    assert all(i.source for i in ISSUERS)
    assert {i.host for i in ISSUERS} >= {"gitlab.com", "app.terraform.io", "accounts.google.com",
                                          "cognito-identity.amazonaws.com"}


# -- saml-missing-audience ---------------------------------------------------------------------------------------
def test_saml_without_audience(tmp_path: Path) -> None:
    [f] = single_role(tmp_path, "saml-missing-audience", trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML")))
    assert f.severity is Severity.LOW and f.source == f"federated:{SAML}"


def test_saml_with_signin_audience(tmp_path: Path) -> None:
    cond = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    doc = trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML", cond))
    assert single_role(tmp_path, "saml-missing-audience", doc) == []


def test_saml_with_another_audience_is_flagged(tmp_path: Path) -> None:
    cond = {"StringLike": {"SAML:aud": "https://*"}}
    doc = trust(stmt({"Federated": SAML}, "sts:AssumeRoleWithSAML", cond))
    [f] = single_role(tmp_path, "saml-missing-audience", doc)
    aud = f.path[0].context["saml:aud"][0]
    assert aud.startswith("https://") and "signin.aws.amazon.com" not in aud


@pytest.mark.parametrize(("host", "sub", "fires"), [
    ("gitlab.com", "project_path:acme/*", False),
    ("gitlab.com", "project_path:acme*", True),
    ("app.terraform.io", "organization:acme:*", False),
    ("app.terraform.io", "organization:acme*", True),
])
def test_other_ci_issuers(tmp_path: Path, host: str, sub: str, fires: bool) -> None:
    provider = f"arn:aws:iam::111122223333:oidc-provider/{host}"
    doc = trust(stmt({"Federated": provider}, WEB, {"StringLike": {f"{host}:sub": sub}}))
    findings = single_role(tmp_path, "oidc-any-subject", doc)
    assert bool(findings) is fires
