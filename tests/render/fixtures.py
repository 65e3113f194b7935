"""Hand-built findings for the report tests, including hostile strings from a crafted export."""

from __future__ import annotations

from trustgraph.checks.finding import Finding, FindingKind, Severity, SourceReach
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.render.report import CheckInfo, ScanReport, SuppressionRecord, Suppressions

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
#: Every hostile string the tests plant in role names, tags, condition values, messages and file names.
HOSTILE = (SCRIPT, IMG, JS_URL)

A = "111122223333"
B = "444455556666"
EXPORT_A = "exports/account-a.json"
EXPORT_B = "exports/account-b <b>.json"

HOSTILE_ROLE = f"arn:aws:iam::{A}:role/x{SCRIPT}"
IMG_ROLE = f"arn:aws:iam::{A}:role/{IMG}"
LONG_ROLE = f"arn:aws:iam::{A}:role/" + "/".join(f"very-long-path-segment-{i}" for i in range(12)) + "/DeepRole"

CHECKS = (
    CheckInfo(
        id="external-without-external-id",
        title="Outsider reaches the role without sts:ExternalId",
        severity=Severity.HIGH,
        severity_rule="High; critical if the role is admin.",
        rationale="Confused deputy: a vendor acting for many customers can be tricked into using this role.",
        remediation="Require sts:ExternalId with a unique, secret value in the trust policy.",
    ),
    CheckInfo(
        id="external-path-to-admin",
        title="Outsider reaches an admin role through a chain",
        severity=Severity.CRITICAL,
        severity_rule="Critical.",
        rationale="Chains hide reachability from per-role reviews.",
        remediation="Break the chain: narrow the intermediate role's trust.",
    ),
    CheckInfo(
        id="oidc-any-subject",
        title="OIDC issuer trusted for any subject",
        severity=Severity.CRITICAL,
        severity_rule="Critical.",
        rationale="Anyone with an account at a multi-tenant issuer can mint a token.",
        remediation="Pin token.actions.githubusercontent.com:sub to repo:OWNER/REPO:...",
    ),
    CheckInfo(
        id="external-without-mfa",
        title="Outsider reaches the role without MFA",
        severity=Severity.MEDIUM,
        severity_rule="Medium.",
        rationale="Stolen long-term keys suffice.",
        remediation="Require aws:MultiFactorAuthPresent.",
    ),
    CheckInfo(
        id="saml-missing-audience",
        title="SAML trust without SAML:aud",
        severity=Severity.LOW,
        severity_rule="Low.",
        rationale="Assertions meant for another service provider could be replayed.",
        remediation="Add a StringEquals condition on SAML:aud.",
    ),
)


def _findings() -> tuple[Finding, ...]:
    hop1 = HopWitness(
        source=f"account:{B}",
        target=f"arn:aws:iam::{B}:role/Bridge",
        action="sts:AssumeRole",
        context={"aws:PrincipalTag/team": (SCRIPT,), "aws:SourceIp": ("203.0.113.7",)},
        statements=(Location(EXPORT_B, "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"),),
    )
    hop2 = HopWitness(
        source=f"arn:aws:iam::{B}:role/Bridge",
        target=HOSTILE_ROLE,
        action="sts:AssumeRole",
        context={"aws:RequestTag/x": (IMG, JS_URL), "sts:ExternalId": ("$x$ \\frac{1}{0}",)},
        statements=(Location(EXPORT_A, "/RoleDetailList/3/AssumeRolePolicyDocument/Statement/1"),),
        approximations=("aws:SourceIp: CIDR over-approximated",),
    )
    oidc = HopWitness(
        source="federated:token.actions.githubusercontent.com",
        target=IMG_ROLE,
        action="sts:AssumeRoleWithWebIdentity",
        context={"token.actions.githubusercontent.com:sub": (f"repo:evil/{JS_URL}:ref:refs/heads/main",)},
        statements=(Location(EXPORT_A, "/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0"),),
    )
    return (
        Finding(
            check_id="external-without-mfa",
            severity=Severity.MEDIUM,
            role=LONG_ROLE,
            source="external",
            message="Any principal outside the zone reaches the role without MFA.",
            remediation="Require aws:MultiFactorAuthPresent.",
            title="Outsider reaches the role without MFA",
            path=(HopWitness(source="external", target=LONG_ROLE, action="sts:AssumeRole",
                             statements=(Location(EXPORT_A, "/RoleDetailList/7/AssumeRolePolicyDocument"),)),),
            statements=(Location(EXPORT_A, "/RoleDetailList/7/AssumeRolePolicyDocument"),),
        ),
        Finding(
            check_id="external-path-to-admin",
            severity=Severity.CRITICAL,
            role=HOSTILE_ROLE,
            source=f"account:{B}",
            message=f"Account {B} reaches admin role {HOSTILE_ROLE} in two hops.",
            remediation="Break the chain.",
            title="Outsider reaches an admin role through a chain",
            path=(hop1, hop2),
            statements=hop1.statements + hop2.statements,
            approximate=True,
            approximations=("aws:SourceIp: CIDR over-approximated",),
            # grouped (one finding per check and role): a second, less specific source in three hops
            sources=(
                SourceReach(source=f"account:{B}", source_class="account",
                            nodes=(f"account:{B}", f"arn:aws:iam::{B}:role/Bridge", HOSTILE_ROLE),
                            actions=("sts:AssumeRole", "sts:AssumeRole"), conditions=1, approximate=True),
                SourceReach(source=f"federated:{IMG}", source_class="federated",
                            nodes=(f"federated:{IMG}", f"arn:aws:iam::{A}:role/Hop", f"arn:aws:iam::{B}:role/Bridge",
                                   HOSTILE_ROLE),
                            actions=("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole", "sts:AssumeRole")),
            ),
        ),
        Finding(
            check_id="oidc-any-subject",
            severity=Severity.CRITICAL,
            role=IMG_ROLE,
            source="federated:token.actions.githubusercontent.com",
            message=f"Any GitHub repository can assume the role (tag: {SCRIPT}).",
            remediation=f"Pin the subject; do not follow {JS_URL}.",
            title="OIDC issuer trusted for any subject",
            path=(oidc,),
            statements=oidc.statements,
        ),
        Finding(
            check_id="external-without-external-id",
            severity=Severity.HIGH,
            role=f"arn:aws:iam::{A}:role/VendorIntegrationRole",
            source=f"account:{B}",
            message="The solver could not decide whether the role is reachable without sts:ExternalId.",
            remediation="Require sts:ExternalId.",
            title="Outsider reaches the role without sts:ExternalId",
            statements=(Location(EXPORT_A, "/RoleDetailList/2/AssumeRolePolicyDocument/Statement/0"),),
            kind=FindingKind.UNKNOWN,
        ),
        Finding(
            check_id="saml-missing-audience",
            severity=Severity.LOW,
            role=f"arn:aws:iam::{A}:role/SamlRole",
            source="federated:arn:aws:iam::111122223333:saml-provider/Okta",
            message="=HYPERLINK(\"http://x\") SAML trust has no SAML:aud condition.",
            remediation="Add SAML:aud.",
            title="SAML trust without SAML:aud",
            statements=(Location(EXPORT_A, "/RoleDetailList/4/AssumeRolePolicyDocument/Statement/0"),),
        ),
        Finding(
            check_id="external-without-external-id",
            severity=Severity.HIGH,
            role=f"arn:aws:iam::{A}:role/AcceptedRisk",
            source=f"account:{B}",
            message="Account B reaches the role without sts:ExternalId.",
            remediation="Require sts:ExternalId.",
            title="Outsider reaches the role without sts:ExternalId",
            statements=(Location(EXPORT_A, "/RoleDetailList/5/AssumeRolePolicyDocument/Statement/0"),),
            suppressed_by=f"suppressions.yaml#/0: vendor contract {SCRIPT}",
        ),
    )


def make_report(findings: tuple[Finding, ...] | None = None) -> ScanReport:
    """The report the tests render in every format."""
    return ScanReport(
        findings=_findings() if findings is None else findings,
        zone={
            "accounts": [A],
            "organizations": ["o-a1b2c3d4e5"],
            "identity_providers": [{"provider": "token.actions.githubusercontent.com",
                                    "subjects": [f"repo:acme/{IMG}:*"]}],
            "source": f"zones/{SCRIPT}.toml",
        },
        inputs=(EXPORT_A, EXPORT_B),
        tool_version="0.1.0",
        generated_at="2026-11-28T15:00:00Z",
        checks_run=CHECKS,
        suppressions=Suppressions(
            applied=(SuppressionRecord(check_id="external-without-external-id", role="*:role/AcceptedRisk",
                                       reason=f"vendor contract {SCRIPT}", location="suppressions.yaml#/0",
                                       matched=1),),
            expired=(SuppressionRecord(check_id="public-role", role=f"*{IMG}", reason="old",
                                       expires="2020-01-01", location="suppressions.yaml#/1"),),
            unused=(SuppressionRecord(check_id="oidc-any-subject", role="*:role/Gone", reason=JS_URL,
                                      source="federated:*", location="suppressions.yaml#/2"),),
        ),
    )


def chain_of(report: ScanReport) -> Finding:
    """The two-hop chain into the admin role (external-path-to-admin) of the report."""
    return next(f for f in report.ordered if f.check_id == "external-path-to-admin")
