"""Build ``datasets/example-org`` (the bundled example organization) and its expected answers.

The dataset is hand-designed; this script only writes it out consistently (ids, dates, instance profiles, the
organizations files) so that the exports, the README's tables and ``datasets/expected/example-org.json`` cannot
drift apart. Run ``python tests/datasets/build_example_org.py`` from the repository root to regenerate; the test
``tests/datasets/test_example_org.py::test_builder_reproduces_committed_files`` checks that the committed files are
what this script writes.

Design notes (why each intended answer is what it is) are in ``datasets/example-org/README.md``; the semantics
follow ``docs/semantics.md`` (zone, MFA through sessions, boundaries).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "datasets" / "example-org"
EXPECTED = ROOT / "datasets" / "expected" / "example-org.json"

ORG = "o-exampleorg1"
ROOT_ID = "r-ex12"
OU_WORKLOADS = "ou-ex12-workload"
M = "100000000001"  # management account
P = "100000000002"  # production workloads
D = "100000000003"  # development workloads
V = "210987654321"  # Example Corp, the vendor: outside the organization
PARTNER = "333344445555"  # Northwind Ops, a third-party operator (no export)
ACCOUNT_NAMES = {M: "example-management", P: "example-prod", D: "example-dev"}

SSO_M = f"arn:aws:iam::{M}:saml-provider/AWSSSO_5f2c8a1e9b3d7c40_DO_NOT_DELETE"
SSO_P = f"arn:aws:iam::{P}:saml-provider/AWSSSO_5f2c8a1e9b3d7c40_DO_NOT_DELETE"
CORP_IDP = f"arn:aws:iam::{P}:saml-provider/CorpIdP"
LEGACY_OKTA = f"arn:aws:iam::{D}:saml-provider/LegacyOkta"
GITHUB = f"arn:aws:iam::{D}:oidc-provider/token.actions.githubusercontent.com"
GH = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
POOL = "us-east-1:0b9f6c2e-4d7a-4c1b-9e8f-3a5d2c7b1e40"
STALE_USER_ID = "AIDAXK3WQ7PLN2R5T8VZB"  # unique id of a deleted IAM user
SAML_AUD = "https://signin.aws.amazon.com/saml"
V_EXTERNAL_ID_P = "ec-7f3c9a1e2b-prod"

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
SUPPORT_SLR = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"  # left out of Policies

AWS_MANAGED: dict[str, dict[str, Any]] = {
    ADMIN: {
        "PolicyId": "ANPAIWMBCKSKIEE64ZLYK", "CreateDate": "2015-02-06T18:39:46Z",
        "UpdateDate": "2015-02-06T18:39:46Z", "DefaultVersionId": "v1",
        "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    },
    LAMBDA_BASIC: {
        "PolicyId": "ANPAJNCQGXC42545SKXIK", "CreateDate": "2015-04-09T15:03:43Z",
        "UpdateDate": "2015-04-09T15:03:43Z", "DefaultVersionId": "v1",
        "Document": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*"}]},
    },
    SSM_CORE: {
        "PolicyId": "ANPAIXSHM2BNB2D3AXXRU", "CreateDate": "2019-03-15T17:22:12Z",
        "UpdateDate": "2019-05-23T16:54:21Z", "DefaultVersionId": "v2",
        "Document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": [
                "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
                "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
                "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory",
                "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"], "Resource": "*"},
            {"Effect": "Allow", "Action": [
                "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*"},
            {"Effect": "Allow", "Action": [
                "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"], "Resource": "*"}]},
    },
}

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def unique_id(prefix: str, *parts: str) -> str:
    """A stable IAM unique id (prefix + 17 characters of [A-Z2-7]) derived from the entity's identity."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    text = base64.b32encode(digest).decode().rstrip("=")
    return prefix + text[:17]


def stamp(day: int, minute: int) -> str:
    """A creation timestamp in the CLI's wire format: 2024-0M-DD at a fixed time of day."""
    month, dom = 3 + day // 28, 1 + day % 28
    return f"2024-{month:02d}-{dom:02d}T{9 + minute // 60:02d}:{minute % 60:02d}:00Z"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust_aws(principal: str | list[str], condition: dict[str, Any] | None = None, sid: str | None = None,
              effect: str = "Allow") -> dict[str, Any]:
    st: dict[str, Any] = {}
    if sid:
        st["Sid"] = sid
    st.update({"Effect": effect, "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})
    if condition:
        st["Condition"] = condition
    return st


def trust_service(service: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return st


def trust_federated(provider: str, action: str | list[str], condition: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": action}
    if condition:
        st["Condition"] = condition
    return st


def role_arn(account: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:role{path}{name}"


def user_arn(account: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:user{path}{name}"


# --------------------------------------------------------------------------------------------------------------
# Roles, users, groups and customer managed policies per account.
# Each role: (name, path, trust statements, inline policies {name: doc}, managed ARNs, extras)
# --------------------------------------------------------------------------------------------------------------


def mfa(value: str = "true") -> dict[str, Any]:
    return {"Bool": {"aws:MultiFactorAuthPresent": value}}


def accounts_spec() -> dict[str, dict[str, Any]]:
    """Everything the exports contain, account by account."""
    sso_trust = [trust_federated(SSO_M, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                                 {"StringEquals": {"SAML:aud": SAML_AUD}})]
    mgmt = {
        "policies": {
            "OrgAuditRead": doc(allow(["organizations:Describe*", "organizations:List*", "iam:Get*", "iam:List*",
                                       "cloudtrail:LookupEvents"])),
            "ConfigDelivery": doc(allow(["s3:PutObject", "s3:GetBucketAcl"],
                                        ["arn:aws:s3:::example-org-config-logs",
                                         "arn:aws:s3:::example-org-config-logs/*"]),
                                  allow(["config:Put*", "config:Describe*", "ec2:Describe*", "iam:GetRole"])),
            "ForensicsReadOnly": doc(allow(["ec2:Describe*", "ec2:CreateSnapshot", "ec2:CopySnapshot",
                                            "cloudtrail:LookupEvents", "logs:GetLogEvents"])),
        },
        "groups": {
            "OrgAdmins": {"inline": {}, "managed": [ADMIN]},
        },
        "users": [
            {"name": "admin-bob", "groups": ["OrgAdmins"], "inline": {}, "managed": [],
             "tags": [{"Key": "team", "Value": "cloud-platform"}]},
            {"name": "ops-alice", "groups": [], "managed": [], "tags": [{"Key": "team", "Value": "security"}],
             "inline": {"AssumeSecurityRolesWithMfa": doc(allow(
                 "sts:AssumeRole", role_arn(M, "*", "/security/"), Condition=mfa()))}},
        ],
        "roles": [
            {"name": "AWSReservedSSO_AdministratorAccess_3f1b2c4d5e6a7b8c", "path": "/aws-reserved/sso.amazonaws.com/",
             "trust": sso_trust, "managed": [ADMIN], "max_session": 43200,
             "description": None},
            {"name": "IncidentResponderMfaRole", "path": "/security/",
             "trust": [trust_aws(f"arn:aws:iam::{M}:root", mfa())],
             "inline": {"AssumeSecurityChain": doc(allow("sts:AssumeRole", role_arn(M, "*", "/security/")))},
             "managed": [f"arn:aws:iam::{M}:policy/ForensicsReadOnly"]},
            {"name": "ForensicsMfaRole", "path": "/security/",
             "trust": [trust_aws(role_arn(M, "IncidentResponderMfaRole", "/security/"), mfa())],
             "inline": {"AssumeEvidenceVault": doc(allow("sts:AssumeRole",
                                                         role_arn(M, "EvidenceVaultMfaRole", "/security/")))},
             "managed": [f"arn:aws:iam::{M}:policy/ForensicsReadOnly"]},
            {"name": "EvidenceVaultMfaRole", "path": "/security/",
             "trust": [trust_aws(role_arn(M, "ForensicsMfaRole", "/security/"), mfa())],
             "inline": {"EvidenceBucket": doc(allow(["s3:GetObject", "s3:PutObject"],
                                                    "arn:aws:s3:::example-org-evidence/*"))}},
            {"name": "OrgAuditReadRole", "path": "/",
             "trust": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}],
             "managed": [f"arn:aws:iam::{M}:policy/OrgAuditRead"]},
            {"name": "ConfigRecorderRole", "path": "/service-role/",
             "trust": [trust_service("config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": M}})],
             "managed": [f"arn:aws:iam::{M}:policy/ConfigDelivery"]},
            {"name": "LegacyConfigRoleNoSourceAccount", "path": "/service-role/",
             "trust": [trust_service("config.amazonaws.com")],
             "managed": [f"arn:aws:iam::{M}:policy/ConfigDelivery"]},
            {"name": "AWSServiceRoleForSupport", "path": "/aws-service-role/support.amazonaws.com/",
             "trust": [{"Effect": "Allow", "Principal": {"Service": ["support.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"]}],
             "managed": [SUPPORT_SLR],
             "description": "Enables resource access for AWS to provide billing, administrative and support services"},
            {"name": "StaleTrustBackupRole", "path": "/",
             "trust": [trust_aws(STALE_USER_ID)],
             "inline": {"BackupRead": doc(allow(["backup:List*", "backup:Describe*"]))}},
        ],
    }
    prod = {
        "policies": {
            "AppBucketRead": doc(allow(["s3:GetObject", "s3:ListBucket"],
                                       ["arn:aws:s3:::example-prod-app", "arn:aws:s3:::example-prod-app/*"])),
            "VendorReadOnly": doc(allow(["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "ec2:Describe*",
                                         "tag:GetResources"])),
        },
        "groups": {},
        "users": [],
        "roles": [
            {"name": "OrganizationAccountAccessRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{M}:root")], "managed": [ADMIN]},
            {"name": "AWSReservedSSO_ReadOnly_9a8b7c6d5e4f3a2b", "path": "/aws-reserved/sso.amazonaws.com/",
             "trust": [trust_federated(SSO_P, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                                       {"StringEquals": {"SAML:aud": SAML_AUD}})],
             "inline": {"AwsSSOInlinePolicy": doc(allow(["ec2:Describe*", "s3:ListAllMyBuckets", "logs:Describe*",
                                                         "cloudwatch:Get*"]))},
             "max_session": 28800},
            {"name": "AppServerEc2Role", "path": "/app/", "trust": [trust_service("ec2.amazonaws.com")],
             "managed": [f"arn:aws:iam::{P}:policy/AppBucketRead", SSM_CORE],
             "instance_profile": "AppServerProfile", "last_used": ("2026-11-20T08:14:03Z", "eu-west-1")},
            {"name": "OrderProcessorLambdaRole", "path": "/service-role/",
             "trust": [trust_service("lambda.amazonaws.com")],
             "inline": {"OrdersTable": doc(allow(["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
                                                 f"arn:aws:dynamodb:eu-west-1:{P}:table/orders"))},
             "managed": [LAMBDA_BASIC], "last_used": ("2026-11-27T23:59:12Z", "eu-west-1")},
            {"name": "ExampleCorpIntegrationRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{V}:root", {"StringEquals": {"sts:ExternalId": V_EXTERNAL_ID_P}})],
             "managed": [f"arn:aws:iam::{P}:policy/VendorReadOnly"],
             "tags": [{"Key": "vendor", "Value": "example-corp"}]},
            {"name": "ExampleCorpLegacyIfExistsRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{V}:root",
                                 {"StringEqualsIfExists": {"sts:ExternalId": "ec-2019-legacy-prod"}})],
             "managed": [f"arn:aws:iam::{P}:policy/VendorReadOnly"],
             "tags": [{"Key": "vendor", "Value": "example-corp"}]},
            {"name": "ReportingIngestRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{PARTNER}:root",
                                 {"StringEquals": {"sts:ExternalId": "nw-ops-4b1d8f"}})],
             "inline": {"DropReports": doc(allow("s3:PutObject", "arn:aws:s3:::example-prod-reports-inbox/*"),
                                           allow("sts:AssumeRole", role_arn(P, "DataPipelineRole")))}},
            {"name": "DataPipelineRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{P}:root", sid="AccountPrincipals"),
                       trust_aws(role_arn(P, "ReportingIngestRole"), sid="NoPivotFromPartnerFacingRoles",
                                 effect="Deny")],
             "inline": {"Pipeline": doc(allow(["glue:StartJobRun", "glue:GetJobRun"]),
                                        allow("sts:AssumeRole", role_arn(P, "WarehouseLoaderRole")))}},
            {"name": "WarehouseLoaderRole", "path": "/",
             "trust": [trust_aws(role_arn(P, "DataPipelineRole"))],
             "inline": {"Warehouse": doc(allow(["redshift-data:ExecuteStatement", "redshift:GetClusterCredentials"]))}},
            {"name": "CorpIdpSupportRole", "path": "/",
             "trust": [trust_federated(CORP_IDP, "sts:AssumeRoleWithSAML", {"StringEquals": {"SAML:aud": SAML_AUD}})],
             "inline": {"Support": doc(allow(["support:*", "ec2:Describe*"]))}},
            {"name": "CorpIdpAnalystNoAudRole", "path": "/",
             "trust": [trust_federated(CORP_IDP, "sts:AssumeRoleWithSAML")],
             "inline": {"Athena": doc(allow(["athena:StartQueryExecution", "athena:GetQueryResults"]))}},
            {"name": "CognitoAppUserRole", "path": "/",
             "trust": [trust_federated(COGNITO, "sts:AssumeRoleWithWebIdentity", {
                 "StringEquals": {f"{COGNITO}:aud": POOL},
                 "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"}})],
             "inline": {"UserUploads": doc(allow(["s3:PutObject", "s3:GetObject"],
                                                 "arn:aws:s3:::example-prod-uploads/${cognito-identity.amazonaws.com:sub}/*"))}},
            {"name": "CognitoLegacyNoAudRole", "path": "/",
             "trust": [trust_federated(COGNITO, "sts:AssumeRoleWithWebIdentity", {
                 "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"}})],
             "inline": {"LegacyUploads": doc(allow("s3:PutObject", "arn:aws:s3:::example-prod-uploads-legacy/*"))}},
            {"name": "ReportsForAllValuesOrgRole", "path": "/",
             "trust": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                        "Condition": {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}}}],
             "inline": {"Reports": doc(allow("s3:GetObject", "arn:aws:s3:::example-prod-reports/*"))}},
        ],
    }
    dev = {
        "policies": {
            "DeveloperReadOnly": doc(allow(["ec2:Describe*", "s3:List*", "logs:Get*", "logs:Describe*",
                                            "cloudwatch:Get*"])),
            "ContractorBoundary": doc(allow(["ec2:Describe*", "s3:List*", "s3:GetObject", "logs:Get*",
                                             "rds:Describe*", "rds-db:connect"])),
        },
        "groups": {
            "Developers": {"managed": [f"arn:aws:iam::{D}:policy/DeveloperReadOnly"],
                           "inline": {"AssumeDevReadOnly": doc(allow("sts:AssumeRole",
                                                                     role_arn(D, "DevReadOnlyRole")))}},
        },
        "users": [
            {"name": "carol", "groups": ["Developers"], "managed": [], "tags": [{"Key": "team", "Value": "data"}],
             "inline": {}},
            {"name": "dave", "groups": ["Developers"], "managed": [], "inline": {}, "tags": []},
            {"name": "erin", "groups": ["Developers"], "managed": [], "inline": {}, "tags": [],
             "boundary": f"arn:aws:iam::{D}:policy/ContractorBoundary"},
        ],
        "roles": [
            {"name": "OrganizationAccountAccessRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{M}:root")], "managed": [ADMIN]},
            {"name": "PartnerOpsRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{PARTNER}:root")],
             "inline": {"OpsHandoff": doc(allow("sts:AssumeRole", role_arn(D, "DeployRole")),
                                          allow(["ec2:Describe*", "ssm:SendCommand"]))},
             "tags": [{"Key": "partner", "Value": "northwind-ops"}]},
            {"name": "DeployRole", "path": "/",
             "trust": [trust_aws(role_arn(D, "PartnerOpsRole"))],
             "inline": {"Deploy": doc(allow(["ecs:UpdateService", "ecs:Describe*", "ecr:*"]),
                                      allow("sts:AssumeRole", role_arn(D, "PlatformAdminRole")))}},
            {"name": "PlatformAdminRole", "path": "/",
             "trust": [trust_aws(role_arn(D, "DeployRole"))], "managed": [ADMIN]},
            {"name": "ExampleCorpIntegrationRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{V}:root")],
             "inline": {"VendorReadOnly": doc(allow(["cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
                                                     "ec2:Describe*"]))},
             "tags": [{"Key": "vendor", "Value": "example-corp"}]},
            {"name": "ExampleCorpMonitoringWildcardIdRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{V}:root", {"StringLike": {"sts:ExternalId": "*"}})],
             "inline": {"VendorMetrics": doc(allow(["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"]))},
             "tags": [{"Key": "vendor", "Value": "example-corp"}]},
            {"name": "GitHubActionsAppMainRole", "path": "/",
             "trust": [trust_federated(GITHUB, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
                 f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": "repo:example-org/app:ref:refs/heads/main"}})],
             "inline": {"PushImages": doc(allow(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                                 "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                                 "ecr:CompleteLayerUpload"]))}},
            {"name": "GitHubActionsOrgPrefixRole", "path": "/",
             "trust": [trust_federated(GITHUB, "sts:AssumeRoleWithWebIdentity", {
                 "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                 "StringLike": {f"{GH}:sub": "repo:example-org*"}})],
             "inline": {"Artifacts": doc(allow(["s3:PutObject", "s3:GetObject"],
                                               "arn:aws:s3:::example-dev-artifacts/*"))}},
            {"name": "GitHubActionsUnpinnedRole", "path": "/",
             "trust": [trust_federated(GITHUB, "sts:AssumeRoleWithWebIdentity", {
                 "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}})],
             "inline": {"Terraform": doc(allow(["s3:GetObject", "s3:PutObject", "dynamodb:PutItem",
                                                "dynamodb:GetItem", "dynamodb:DeleteItem"],
                                               ["arn:aws:s3:::example-dev-tfstate/*",
                                                f"arn:aws:dynamodb:eu-west-1:{D}:table/tf-locks"]))}},
            {"name": "PublicDebugRole", "path": "/",
             "trust": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
             "inline": {"DebugLogs": doc(allow(["logs:GetLogEvents", "logs:FilterLogEvents"]))}},
            {"name": "DevReadOnlyRole", "path": "/",
             "trust": [trust_aws(f"arn:aws:iam::{D}:root")],
             "managed": [f"arn:aws:iam::{D}:policy/DeveloperReadOnly"]},
            {"name": "DbMigrationRole", "path": "/",
             "trust": [trust_aws([user_arn(D, "carol"), user_arn(D, "erin")])],
             "inline": {"Rds": doc(allow(["rds:Describe*", "rds-db:connect"]))}},
            {"name": "LegacyOktaNoAudRole", "path": "/",
             "trust": [trust_federated(LEGACY_OKTA, "sts:AssumeRoleWithSAML")],
             "managed": [f"arn:aws:iam::{D}:policy/DeveloperReadOnly"]},
        ],
    }
    vendor = {
        "policies": {},
        "groups": {
            "Support": {"managed": [], "inline": {"AssumeCustomerRoles": doc(allow(
                "sts:AssumeRole", "arn:aws:iam::*:role/ExampleCorp*"))}},
        },
        "users": [
            {"name": "ec-support-engineer", "groups": ["Support"], "managed": [], "inline": {}, "tags": []},
            {"name": "ec-intern", "groups": [], "managed": [], "tags": [],
             "inline": {"Docs": doc(allow(["s3:GetObject"], "arn:aws:s3:::example-corp-docs/*"))}},
        ],
        "roles": [
            {"name": "ExampleCorpConnector", "path": "/service-role/",
             "trust": [trust_service("lambda.amazonaws.com")],
             "inline": {"AssumeCustomerRoles": doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/ExampleCorp*"))},
             "managed": [LAMBDA_BASIC]},
            {"name": "ExampleCorpScannerRole", "path": "/",
             "trust": [trust_service("ec2.amazonaws.com")], "instance_profile": "ExampleCorpScanner",
             "inline": {"AssumeCustomerRoles": doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/ExampleCorp*"))},
             "managed": [SSM_CORE]},
        ],
    }
    return {M: mgmt, P: prod, D: dev, V: vendor}


def build_gaad(account: str, spec: dict[str, Any], day0: int) -> dict[str, Any]:
    """One get-account-authorization-details export (AWS CLI shape, documents decoded)."""
    minute = 0
    attached: dict[str, int] = {}
    boundaries: dict[str, int] = {}

    def managed_list(arns: list[str]) -> list[dict[str, str]]:
        out = []
        for arn in arns:
            attached[arn] = attached.get(arn, 0) + 1
            out.append({"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn})
        return out

    def inline_list(inline: dict[str, Any], key: str) -> list[dict[str, Any]]:
        return [{"PolicyName": n, "PolicyDocument": d} for n, d in inline.items()]

    groups = []
    for i, (gname, g) in enumerate(spec["groups"].items()):
        groups.append({
            "Path": "/", "GroupName": gname, "GroupId": unique_id("AGPA", account, "group", gname),
            "Arn": f"arn:aws:iam::{account}:group/{gname}", "CreateDate": stamp(day0, 10 + i),
            "GroupPolicyList": inline_list(g["inline"], "GroupPolicyList"),
            "AttachedManagedPolicies": managed_list(g["managed"]),
        })
    users = []
    for i, u in enumerate(spec["users"]):
        entry: dict[str, Any] = {
            "Path": "/", "UserName": u["name"], "UserId": unique_id("AIDA", account, "user", u["name"]),
            "Arn": user_arn(account, u["name"]), "CreateDate": stamp(day0 + 1, 5 * i),
            "UserPolicyList": inline_list(u["inline"], "UserPolicyList"), "GroupList": list(u["groups"]),
            "AttachedManagedPolicies": managed_list(u["managed"]),
        }
        if u.get("boundary"):
            boundaries[u["boundary"]] = boundaries.get(u["boundary"], 0) + 1
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                            "PermissionsBoundaryArn": u["boundary"]}
        if u["tags"]:
            entry["Tags"] = u["tags"]
        users.append(entry)
    roles = []
    for i, r in enumerate(spec["roles"]):
        minute = 7 * i
        arn = role_arn(account, r["name"], r["path"])
        rid = unique_id("AROA", account, "role", r["path"], r["name"])
        created = stamp(day0 + 2 + i // 4, minute)
        trust = doc(*r["trust"])
        tags = r.get("tags", [])
        last = r.get("last_used")
        last_used = {"LastUsedDate": last[0], "Region": last[1]} if last else {}
        profiles = []
        if r.get("instance_profile"):
            pname = r["instance_profile"]
            profiles.append({
                "Path": r["path"], "InstanceProfileName": pname,
                "InstanceProfileId": unique_id("AIPA", account, "instance-profile", pname),
                "Arn": f"arn:aws:iam::{account}:instance-profile{r['path']}{pname}", "CreateDate": created,
                "Roles": [{"Path": r["path"], "RoleName": r["name"], "RoleId": rid, "Arn": arn,
                           "CreateDate": created, "AssumeRolePolicyDocument": trust,
                           "MaxSessionDuration": r.get("max_session", 3600), "Tags": tags,
                           "RoleLastUsed": last_used}],
                "Tags": [],
            })
        entry = {
            "Path": r["path"], "RoleName": r["name"], "RoleId": rid, "Arn": arn, "CreateDate": created,
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": profiles,
            "RolePolicyList": inline_list(r.get("inline", {}), "RolePolicyList"),
            "AttachedManagedPolicies": managed_list(r.get("managed", [])),
            "Tags": tags, "RoleLastUsed": last_used,
        }
        roles.append(entry)
    policies = []
    for j, (pname, pdoc) in enumerate(spec["policies"].items()):
        arn = f"arn:aws:iam::{account}:policy/{pname}"
        created = stamp(day0, 30 + 3 * j)
        policies.append({
            "PolicyName": pname, "PolicyId": unique_id("ANPA", account, "policy", pname), "Arn": arn, "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": attached.get(arn, 0),
            "PermissionsBoundaryUsageCount": boundaries.get(arn, 0),
            "IsAttachable": True, "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": pdoc, "VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": created}],
        })
    for arn in sorted(a for a in attached if a.startswith("arn:aws:iam::aws:")):
        if arn not in AWS_MANAGED:
            continue  # attached but left out of Policies: exercises "unresolved managed policy"
        m = AWS_MANAGED[arn]
        path = "/" + arn.split(":policy/", 1)[1].rsplit("/", 1)[0] + "/" if arn.count("/") > 1 else "/"
        policies.append({
            "PolicyName": arn.rsplit("/", 1)[1], "PolicyId": m["PolicyId"], "Arn": arn, "Path": path,
            "DefaultVersionId": m["DefaultVersionId"], "AttachmentCount": attached[arn],
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True, "CreateDate": m["CreateDate"],
            "UpdateDate": m["UpdateDate"],
            "PolicyVersionList": [{"Document": m["Document"], "VersionId": m["DefaultVersionId"],
                                   "IsDefaultVersion": True, "CreateDate": m["UpdateDate"]}],
        })
    return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}


def org_files() -> dict[str, Any]:
    """The AWS Organizations outputs (describe-organization, list-accounts, list-roots, list-parents, policies)."""
    org_arn = f"arn:aws:organizations::{M}:organization/{ORG}"
    root_arn = f"arn:aws:organizations::{M}:root/{ORG}/{ROOT_ID}"
    ou_arn = f"arn:aws:organizations::{M}:ou/{ORG}/{OU_WORKLOADS}"
    files: dict[str, Any] = {
        "org-describe-organization.json": {"Organization": {
            "Id": ORG, "Arn": org_arn, "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{M}:account/{ORG}/{M}", "MasterAccountId": M,
            "MasterAccountEmail": "aws-management@example.org",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}},
        "org-list-accounts.json": {"Accounts": [
            {"Id": acct, "Arn": f"arn:aws:organizations::{M}:account/{ORG}/{acct}",
             "Email": f"aws+{name.removeprefix('example-')}@example.org", "Name": name, "Status": "ACTIVE",
             "JoinedMethod": "INVITED" if acct == M else "CREATED",
             "JoinedTimestamp": "2023-01-16T10:02:11.412000+00:00" if acct == M else
             f"2023-02-0{int(acct[-1])}T14:30:00.120000+00:00"}
            for acct, name in ACCOUNT_NAMES.items()]},
        "org-list-roots.json": {"Roots": [{"Id": ROOT_ID, "Arn": root_arn, "Name": "Root", "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]},
        f"org-list-parents-{OU_WORKLOADS}.json": {"ChildId": OU_WORKLOADS,
                                                  "Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]},
        f"org-list-parents-{M}.json": {"ChildId": M, "Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]},
        f"org-list-parents-{P}.json": {"ChildId": P, "Parents": [{"Id": OU_WORKLOADS,
                                                                 "Type": "ORGANIZATIONAL_UNIT"}]},
        f"org-list-parents-{D}.json": {"ChildId": D, "Parents": [{"Id": OU_WORKLOADS,
                                                                 "Type": "ORGANIZATIONAL_UNIT"}]},
    }
    everywhere = [{"TargetId": ROOT_ID, "Arn": root_arn, "Name": "Root", "Type": "ROOT"},
                  {"TargetId": OU_WORKLOADS, "Arn": ou_arn, "Name": "Workloads", "Type": "ORGANIZATIONAL_UNIT"}]
    everywhere += [{"TargetId": a, "Arn": f"arn:aws:organizations::{M}:account/{ORG}/{a}", "Name": n,
                    "Type": "ACCOUNT"} for a, n in ACCOUNT_NAMES.items()]
    policies = [
        ("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True,
         "Allows access to every operation",
         {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
         everywhere),
        ("p-RCPFullAWSAccess", "RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", True,
         "Allows access to every operation",
         {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
         everywhere),
        ("p-8kq2w4zd", "DenyLeaveOrgAndTrailTampering", "SERVICE_CONTROL_POLICY", False,
         "Members may not leave the organization or stop CloudTrail",
         {"Version": "2012-10-17", "Statement": [
             {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
             {"Sid": "DenyTrailTampering", "Effect": "Deny",
              "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}]},
         [everywhere[1]]),
        ("p-3mz7r1xc", "EnforceS3SecureTransport", "RESOURCE_CONTROL_POLICY", False,
         "S3 requests must use TLS",
         {"Version": "2012-10-17", "Statement": [
             {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
              "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]},
         [everywhere[0]]),
    ]
    for pid, name, ptype, managed, desc, content, targets in policies:
        folder = "service_control_policy" if ptype == "SERVICE_CONTROL_POLICY" else "resource_control_policy"
        owner = "aws" if managed else M
        arn = (f"arn:aws:organizations::aws:policy/{folder}/{pid}" if managed
               else f"arn:aws:organizations::{owner}:policy/{ORG}/{folder}/{pid}")
        files[f"org-describe-policy-{pid}.json"] = {"Policy": {
            "PolicySummary": {"Id": pid, "Arn": arn, "Name": name, "Description": desc, "Type": ptype,
                              "AwsManaged": managed},
            "Content": json.dumps(content, separators=(",", ":"))}}
        files[f"org-list-targets-for-policy-{pid}.json"] = {"PolicyId": pid, "Targets": targets}
    return files


def provider_files() -> dict[str, Any]:
    """``aws iam list-saml-providers`` and ``list-open-id-connect-providers`` per account."""
    def saml(arns: list[tuple[str, str]]) -> dict[str, Any]:
        return {"SAMLProviderList": [{"Arn": a, "ValidUntil": "2125-01-16T10:05:00+00:00", "CreateDate": c}
                                     for a, c in arns]}

    return {
        f"iam-list-saml-providers-{M}.json": saml([(SSO_M, "2023-01-16T10:05:00+00:00")]),
        f"iam-list-saml-providers-{P}.json": saml([(SSO_P, "2023-02-02T15:01:00+00:00"),
                                                   (CORP_IDP, "2023-03-10T09:12:44+00:00")]),
        f"iam-list-saml-providers-{D}.json": saml([(LEGACY_OKTA, "2021-06-03T11:40:09+00:00")]),
        f"iam-list-open-id-connect-providers-{M}.json": {"OpenIDConnectProviderList": []},
        f"iam-list-open-id-connect-providers-{P}.json": {"OpenIDConnectProviderList": []},
        f"iam-list-open-id-connect-providers-{D}.json": {"OpenIDConnectProviderList": [{"Arn": GITHUB}]},
    }


ZONE_TOML = f"""\
# The zone of trust the intended answers of this dataset assume (datasets/expected/example-org.json).
# Use it with:  trustgraph scan datasets/example-org --zone-file datasets/example-org/zone.toml
# The organization's accounts and the organization. Example Corp ({V}) is exported but outside.
accounts = ["{M}", "{P}", "{D}"]
organizations = ["{ORG}"]

# IAM Identity Center's SAML providers and the corporate IdP are ours: their users are employees.
[[identity_providers]]
provider = "{SSO_M}"

[[identity_providers]]
provider = "{SSO_P}"

[[identity_providers]]
provider = "{CORP_IDP}"

# GitHub Actions tokens are ours only for repositories of the example-org GitHub organization.
# (LegacyOkta and Cognito identity pools are not listed: their identities are outside.)
[[identity_providers]]
provider = "{GITHUB}"
subjects = ["repo:example-org/*"]
"""


# --------------------------------------------------------------------------------------------------------------
# Expected answers
# --------------------------------------------------------------------------------------------------------------

R = {  # short names -> ARNs
    "sso_admin": role_arn(M, "AWSReservedSSO_AdministratorAccess_3f1b2c4d5e6a7b8c", "/aws-reserved/sso.amazonaws.com/"),
    "ir": role_arn(M, "IncidentResponderMfaRole", "/security/"),
    "forensics": role_arn(M, "ForensicsMfaRole", "/security/"),
    "vault": role_arn(M, "EvidenceVaultMfaRole", "/security/"),
    "org_audit": role_arn(M, "OrgAuditReadRole"),
    "config": role_arn(M, "ConfigRecorderRole", "/service-role/"),
    "config_legacy": role_arn(M, "LegacyConfigRoleNoSourceAccount", "/service-role/"),
    "slr_support": role_arn(M, "AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/"),
    "stale": role_arn(M, "StaleTrustBackupRole"),
    "p_oaa": role_arn(P, "OrganizationAccountAccessRole"),
    "p_sso_ro": role_arn(P, "AWSReservedSSO_ReadOnly_9a8b7c6d5e4f3a2b", "/aws-reserved/sso.amazonaws.com/"),
    "ec2": role_arn(P, "AppServerEc2Role", "/app/"),
    "lambda": role_arn(P, "OrderProcessorLambdaRole", "/service-role/"),
    "p_ec": role_arn(P, "ExampleCorpIntegrationRole"),
    "p_ec_ifexists": role_arn(P, "ExampleCorpLegacyIfExistsRole"),
    "ingest": role_arn(P, "ReportingIngestRole"),
    "pipeline": role_arn(P, "DataPipelineRole"),
    "loader": role_arn(P, "WarehouseLoaderRole"),
    "corp_support": role_arn(P, "CorpIdpSupportRole"),
    "corp_noaud": role_arn(P, "CorpIdpAnalystNoAudRole"),
    "cognito": role_arn(P, "CognitoAppUserRole"),
    "cognito_noaud": role_arn(P, "CognitoLegacyNoAudRole"),
    "forall_org": role_arn(P, "ReportsForAllValuesOrgRole"),
    "d_oaa": role_arn(D, "OrganizationAccountAccessRole"),
    "partner_ops": role_arn(D, "PartnerOpsRole"),
    "deploy": role_arn(D, "DeployRole"),
    "platform_admin": role_arn(D, "PlatformAdminRole"),
    "d_ec": role_arn(D, "ExampleCorpIntegrationRole"),
    "d_ec_wild": role_arn(D, "ExampleCorpMonitoringWildcardIdRole"),
    "gh_main": role_arn(D, "GitHubActionsAppMainRole"),
    "gh_prefix": role_arn(D, "GitHubActionsOrgPrefixRole"),
    "gh_unpinned": role_arn(D, "GitHubActionsUnpinnedRole"),
    "public": role_arn(D, "PublicDebugRole"),
    "dev_ro": role_arn(D, "DevReadOnlyRole"),
    "db": role_arn(D, "DbMigrationRole"),
    "okta_noaud": role_arn(D, "LegacyOktaNoAudRole"),
    "v_connector": role_arn(V, "ExampleCorpConnector", "/service-role/"),
}
U = {
    "alice": user_arn(M, "ops-alice"), "bob": user_arn(M, "admin-bob"), "carol": user_arn(D, "carol"),
    "dave": user_arn(D, "dave"), "erin": user_arn(D, "erin"), "ec_engineer": user_arn(V, "ec-support-engineer"),
    "ec_intern": user_arn(V, "ec-intern"),
}
NO_EXT = ["sts:ExternalId"]
GH_GIVEN_ATTACKER = {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": "repo:attacker/x:ref:refs/heads/main"}
GH_GIVEN_LOOKALIKE = {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": "repo:example-org-evil/x:ref:refs/heads/main"}
COGNITO_FOREIGN = {f"{COGNITO}:aud": "us-east-1:11111111-2222-3333-4444-555555555555",
                   f"{COGNITO}:amr": ["authenticated", "graph.facebook.com"]}


def trust_pointer(key: str, suffix: str) -> str:
    """``gaad-ACCOUNT.json#/RoleDetailList/i/AssumeRolePolicyDocument/<suffix>`` for a role of the dataset."""
    arn = R[key]
    account = arn.split(":")[4]
    names = [r["name"] for r in accounts_spec()[account]["roles"]]
    index = names.index(arn.rsplit("/", 1)[1])
    return f"gaad-{account}.json#/RoleDetailList/{index}/AssumeRolePolicyDocument/{suffix}"


def reach(src: str, dst: str, hops: int | None, without: list[str] | None = None, note: str = "",
          given: dict[str, Any] | None = None, closed: bool = False, blocked_by: str | None = None
          ) -> dict[str, Any]:
    out: dict[str, Any] = {"from": src, "to": R.get(dst, dst)}
    if hops is not None:
        out["hops"] = hops
    out["without"] = list(without or [])
    if blocked_by:
        out["blocked_by"] = blocked_by
    if given:
        out["given"] = given
    if closed:
        out["closed"] = True
    if note:
        out["note"] = note
    return out


def expected() -> dict[str, Any]:
    """The intended answers (the README explains each)."""
    ext = "external"
    reachable = [
        # confused deputy and third parties
        reach(ext, "d_ec", 1, NO_EXT, "trusts Example Corp's account with no ExternalId: any other customer of the "
                                      "vendor can drive the vendor into it"),
        reach(f"account:{V}", "d_ec", 1, NO_EXT),
        reach(R["v_connector"], "d_ec", 1, NO_EXT, "an exported outside principal uses its own exported policies"),
        reach(U["ec_engineer"], "d_ec", 1, NO_EXT, "through the Support group's policy"),
        reach(f"account:{V}", "p_ec", 1, [], "with the per-customer ExternalId"),
        reach(f"account:{V}", "p_ec_ifexists", 1, NO_EXT, "StringEqualsIfExists is satisfied by omitting the id"),
        reach(f"account:{V}", "d_ec_wild", 1, [], "StringLike \"*\" admits any ExternalId, but one must be sent"),
        reach(f"account:{PARTNER}", "ingest", 1, [], "with the ExternalId"),
        # the three-role chain to an administrator role, and what the admin role reaches next
        reach(f"account:{PARTNER}", "partner_ops", 1, NO_EXT),
        reach(f"account:{PARTNER}", "deploy", 2, NO_EXT),
        reach(f"account:{PARTNER}", "platform_admin", 3, NO_EXT),
        reach(ext, "platform_admin", 3, NO_EXT),
        reach(ext, "dev_ro", 4, NO_EXT, "PlatformAdminRole (admin, AdministratorAccess allows sts:AssumeRole on *) "
                                         "-> DevReadOnlyRole, whose trust names the account"),
        reach(ext, "org_audit", 4, NO_EXT, "a PlatformAdminRole session is a principal of an org account: it "
                                            "satisfies aws:PrincipalOrgID and its identity policy allows the "
                                            "cross-account call"),
        # public
        reach(ext, "public", 1, NO_EXT),
        reach(ext, "forall_org", 1, NO_EXT, "ForAllValues over the absent aws:PrincipalOrgID of a principal in no "
                                             "organization is vacuously true"),
        # federation
        reach(ext, "gh_unpinned", 1, NO_EXT),
        reach(ext, "gh_prefix", 1, NO_EXT, "repo:example-org-evil/... matches repo:example-org*"),
        reach(f"federated:{GITHUB}", "gh_unpinned", 1, [], given=GH_GIVEN_ATTACKER, closed=True),
        reach(f"federated:{GITHUB}", "gh_prefix", 1, [], given=GH_GIVEN_LOOKALIKE, closed=True),
        reach(f"federated:{GITHUB}", "gh_main", 1, [], given={
            f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": "repo:example-org/app:ref:refs/heads/main"}, closed=True),
        reach(ext, "cognito_noaud", 1, NO_EXT),
        reach(ext, "cognito", 1, NO_EXT, "Cognito identity-pool users are outside the zone; aud limits it to our "
                                          "pool's users"),
        reach(f"federated:{COGNITO}", "cognito_noaud", 1, [], given=COGNITO_FOREIGN, closed=True),
        reach(ext, "okta_noaud", 1, NO_EXT, "LegacyOkta is not a trusted provider of the zone"),
        reach(f"federated:{LEGACY_OKTA}", "okta_noaud", 1, []),
        reach(f"federated:{SSO_M}", "sso_admin", 1, []),
        reach(f"federated:{CORP_IDP}", "corp_noaud", 1, []),
        # inside the zone
        reach(U["alice"], "ir", 1, [], "ops-alice presents MFA"),
        reach(U["alice"], "forensics", 2, [], "the IncidentResponderMfaRole session was obtained by a user "
                                               "presenting MFA, so it carries MFA one hop further"),
        reach(U["alice"], "org_audit", 1, [], "Principal \"*\" in the same account needs no identity-policy allow"),
        reach(U["bob"], "p_oaa", 1, []),
        reach(U["bob"], "pipeline", 2, []),
        reach(U["bob"], "loader", 3, []),
        reach(U["carol"], "db", 1, [], "trust names carol's ARN"),
        reach(U["dave"], "dev_ro", 1, [], "root trust + the Developers group's identity policy"),
        reach("service:ec2.amazonaws.com", "ec2", 1, []),
        reach("service:lambda.amazonaws.com", "lambda", 1, []),
        reach("service:config.amazonaws.com", "config_legacy", 1, []),
    ]
    unreachable = [
        reach(f"account:{V}", "p_ec", None, NO_EXT, "StringEquals sts:ExternalId requires the id",
              blocked_by=trust_pointer("p_ec", "Statement/0/Condition/StringEquals/sts:ExternalId")),
        reach(ext, "p_ec", None, NO_EXT),
        reach(R["v_connector"], "p_ec", None, NO_EXT),
        reach(f"account:{V}", "d_ec_wild", None, NO_EXT, "StringLike requires the key to be present",
              blocked_by=trust_pointer("d_ec_wild", "Statement/0/Condition/StringLike/sts:ExternalId")),
        reach(ext, "d_ec_wild", None, NO_EXT),
        reach(U["ec_intern"], "d_ec", None, [], "cross-account: the intern's own policies do not allow "
                                                "sts:AssumeRole"),
        reach(ext, "ingest", None, NO_EXT),
        reach(f"account:{PARTNER}", "pipeline", None, [], "the Deny statement of DataPipelineRole's trust names "
                                                         "ReportingIngestRole",
              blocked_by=trust_pointer("pipeline", "Statement/1")),
        reach(f"account:{PARTNER}", "loader", None, [], "cut by the Deny in the middle hop"),
        reach(ext, "pipeline", None, []),
        reach(ext, "loader", None, []),
        reach(ext, "sso_admin", None, [], "the IAM Identity Center provider is trusted by the zone"),
        reach(ext, "p_sso_ro", None, []),
        reach(ext, "corp_support", None, []),
        reach(ext, "corp_noaud", None, []),
        reach(ext, "gh_main", None, [], "every token it admits has a repo:example-org/* subject, trusted by the zone"),
        reach(f"federated:{GITHUB}", "gh_main", None, [], given=GH_GIVEN_ATTACKER, closed=True),
        reach(f"federated:{GITHUB}", "gh_prefix", None, [], given=GH_GIVEN_ATTACKER, closed=True),
        reach(f"federated:{GITHUB}", "gh_main", None, [], given=GH_GIVEN_LOOKALIKE, closed=True),
        reach(f"federated:{COGNITO}", "cognito", None, [], given=COGNITO_FOREIGN, closed=True,
              note="aud names our identity pool only"),
        reach(ext, "p_oaa", None, []),
        reach(ext, "d_oaa", None, []),
        reach(ext, "ir", None, []),
        reach(ext, "stale", None, []),
        reach("*", "stale", None, [], "the trust names the unique id of a deleted user: nothing matches"),
        reach(U["alice"], "vault", None, [], "a ForensicsMfaRole session was obtained by a role and never carries "
                                             "MFA",
              blocked_by=trust_pointer("vault", "Statement/0/Condition/Bool/aws:MultiFactorAuthPresent")),
        reach(ext, "db", None, []),
    ]
    unreachable += [
        reach(U["dave"], "db", None, [], "the trust names carol and erin only"),
        reach(U["erin"], "db", None, [], "erin is named by the trust, but her permissions boundary does not allow "
                                         "sts:AssumeRole, and for role trust policies the caller's boundary must "
                                         "allow it (semantics notes; conformance row 54)"),
        reach(U["erin"], "dev_ro", None, [], "the Developers group allows it, the boundary does not"),
        reach(ext, "config", None, []),
        reach(ext, "ec2", None, []),
        reach(ext, "lambda", None, []),
        reach(ext, "slr_support", None, []),
    ]

    def f(check: str, role: str, severity: str, note: str = "") -> dict[str, Any]:
        out = {"check": check, "role": R[role], "severity": severity}
        if note:
            out["note"] = note
        return out

    def nf(check: str, role: str, note: str = "") -> dict[str, Any]:
        out = {"check": check, "role": R[role]}
        if note:
            out["note"] = note
        return out

    ewx = "external-without-external-id"
    ewm = "external-without-mfa"
    findings = [
        f(ewx, "d_ec", "high"), f(ewx, "p_ec_ifexists", "high"), f(ewx, "partner_ops", "high"),
        f(ewx, "deploy", "high"), f(ewx, "platform_admin", "critical", "admin role"), f(ewx, "dev_ro", "high"),
        f(ewx, "org_audit", "high", "through the 4-hop chain; never public-role"), f(ewx, "public", "high"),
        f(ewx, "forall_org", "high"),
        # AWS-principal routes without MFA (federated ones are left unspecified, see below)
        f(ewm, "p_ec", "medium", "the ExternalId is no MFA"), f(ewm, "p_ec_ifexists", "medium"),
        f(ewm, "d_ec", "medium"), f(ewm, "d_ec_wild", "medium"), f(ewm, "ingest", "medium"),
        f(ewm, "partner_ops", "medium"), f(ewm, "deploy", "medium"), f(ewm, "platform_admin", "medium"),
        f(ewm, "dev_ro", "medium"), f(ewm, "org_audit", "medium"), f(ewm, "public", "medium"),
        f(ewm, "forall_org", "medium"),
        f("public-role", "public", "critical"), f("public-role", "forall_org", "critical"),
        f("oidc-any-subject", "gh_unpinned", "critical", "no sub condition"),
        f("oidc-any-subject", "gh_prefix", "critical", "repo:example-org* without the slash"),
        f("oidc-any-subject", "cognito_noaud", "critical", "Cognito without aud"),
        f("saml-missing-audience", "corp_noaud", "low"), f("saml-missing-audience", "okta_noaud", "low"),
        f("service-confused-deputy", "config_legacy", "medium"),
        f("vacuous-condition", "p_ec_ifexists", "medium", "StringEqualsIfExists on sts:ExternalId"),
        f("vacuous-condition", "d_ec_wild", "medium", "StringLike \"*\" on sts:ExternalId"),
        f("vacuous-condition", "forall_org", "medium", "ForAllValues on aws:PrincipalOrgID"),
        f("dead-trust-statement", "stale", "low", "stale unique-id principal"),
        f("external-path-to-admin", "platform_admin", "critical", "3 hops from account 333344445555"),
    ]
    no_findings = [
        nf(ewx, "p_ec"), nf(ewx, "d_ec_wild", "an ExternalId must be presented (any value)"), nf(ewx, "ingest"),
        nf(ewx, "pipeline", "Deny cuts the chain"), nf(ewx, "loader"), nf(ewx, "gh_main"), nf(ewx, "sso_admin"),
        nf(ewx, "p_sso_ro"), nf(ewx, "corp_support"), nf(ewx, "corp_noaud"), nf(ewx, "p_oaa"), nf(ewx, "d_oaa"),
        nf(ewx, "ir"), nf(ewx, "forensics"), nf(ewx, "vault"), nf(ewx, "stale"), nf(ewx, "db"), nf(ewx, "ec2"),
        nf(ewx, "lambda"), nf(ewx, "config"), nf(ewx, "config_legacy", "a service principal is not an external "
                                                                       "principal"),
        nf(ewx, "slr_support"),
        # Federated identities outside the zone reach these roles (see `reachable`), but they cannot send an
        # ExternalId at all: the confused-deputy check is about AWS principals; oidc-any-subject,
        # saml-missing-audience and external-path-to-admin cover federation.
        *(nf(ewx, k, "federated route only: covered by oidc-any-subject / saml-missing-audience")
          for k in ("gh_unpinned", "gh_prefix", "cognito", "cognito_noaud", "okta_noaud")),
        nf(ewm, "ir"), nf(ewm, "pipeline"), nf(ewm, "gh_main"), nf(ewm, "sso_admin"),
        nf("public-role", "org_audit", "aws:PrincipalOrgID guards it"), nf("public-role", "d_ec"),
        nf("public-role", "gh_unpinned", "federated, not an AWS principal of any account"),
        nf("oidc-any-subject", "gh_main"), nf("oidc-any-subject", "cognito"),
        nf("saml-missing-audience", "sso_admin"), nf("saml-missing-audience", "p_sso_ro"),
        nf("saml-missing-audience", "corp_support"),
        nf("service-confused-deputy", "config", "aws:SourceAccount ties it to the account"),
        nf("service-confused-deputy", "ec2", "EC2 requires iam:PassRole in the account"),
        nf("service-confused-deputy", "lambda", "Lambda requires iam:PassRole in the account"),
        nf("service-confused-deputy", "slr_support", "service-linked role: its trust policy is AWS's, not editable"),
        nf("vacuous-condition", "p_ec"), nf("vacuous-condition", "org_audit"), nf("vacuous-condition", "cognito"),
        nf("vacuous-condition", "gh_main"),
        nf("dead-trust-statement", "p_ec"), nf("dead-trust-statement", "ir"), nf("dead-trust-statement", "db"),
        nf("external-path-to-admin", "sso_admin"), nf("external-path-to-admin", "p_oaa"),
        nf("external-path-to-admin", "d_oaa"),
        nf("invalid-trust-policy", "public"), nf("invalid-trust-policy", "stale"),
    ]
    unspecified = [
        {"check": ewm, "roles": [R[k] for k in ("gh_unpinned", "gh_prefix", "cognito", "cognito_noaud",
                                                "okta_noaud")],
         "why": "federated hops never carry aws:MultiFactorAuthPresent; whether external-without-mfa reports "
                "federated routes (MFA happens at the IdP) is the check's decision"},
        {"check": "dead-trust-statement", "roles": [R["vault"]],
         "why": "its statement is satisfiable in isolation (a ForensicsMfaRole session with MFA) but no such "
                "session exists in this estate (ForensicsMfaRole is only assumable by a role)"},
    ]
    return {
        "dataset": "example-org",
        "zone": {"accounts": [M, P, D], "organizations": [ORG],
                 "identity_providers": [{"provider": SSO_M}, {"provider": SSO_P}, {"provider": CORP_IDP},
                                        {"provider": GITHUB, "subjects": ["repo:example-org/*"]}],
                 "zone_file": "datasets/example-org/zone.toml"},
        "accounts": {M: "management (o-exampleorg1)", P: "prod member (OU Workloads)",
                     D: "dev member (OU Workloads)", V: "Example Corp, the vendor: exported, outside the org",
                     PARTNER: "Northwind Ops, third-party operator: not exported, outside"},
        "reachable": reachable,
        "unreachable": unreachable,
        "findings": findings,
        "findings_complete_for": ["external-without-external-id", "public-role", "oidc-any-subject",
                                  "saml-missing-audience", "service-confused-deputy", "vacuous-condition",
                                  "external-path-to-admin", "invalid-trust-policy"],
        "no_findings": no_findings,
        "unspecified": unspecified,
        "variants": [{
            # identity_center = "outside": Identity Center counts as inside by default; this is the strict view
            "name": "organization-only zone (no trusted identity providers, Identity Center outside)",
            "zone": {"accounts": [M, P, D], "organizations": [ORG], "identity_center": "outside"},
            "reachable": [
                reach(ext, "sso_admin", 1, NO_EXT, "federated identities are outside unless the zone names "
                                                    "their provider"),
                reach(ext, "gh_main", 1, NO_EXT),
                reach(ext, "corp_noaud", 1, NO_EXT),
            ],
            "unreachable": [reach(ext, "p_ec", None, NO_EXT)],
        }],
    }


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def build() -> dict[Path, str]:
    """Every file of the dataset (path -> text)."""
    out: dict[Path, str] = {}
    for i, (account, spec) in enumerate(accounts_spec().items()):
        out[OUT / f"gaad-{account}.json"] = dump(build_gaad(account, spec, 3 * i))
    for name, data in {**org_files(), **provider_files()}.items():
        out[OUT / name] = dump(data)
    out[OUT / "zone.toml"] = ZONE_TOML
    out[EXPECTED] = dump(expected())
    return out


def main() -> int:
    for path, text in build().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(build())} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
