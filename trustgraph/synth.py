"""Generated AWS organizations: realistic exports of any size, byte-for-byte reproducible from a seed.

:func:`synthesize` writes one ``get-account-authorization-details`` file per account (AWS CLI shape, documents
decoded) plus the AWS Organizations outputs (``describe-organization``, ``list-accounts``, ``list-roots``,
``list-parents`` with a ``"ChildId"`` key per account and OU, and ``describe-policy`` / ``list-targets-for-policy``
with a ``"PolicyId"`` key for the SCPs and RCPs) and the identity-provider listings. The notebooks use it for an
organization of a few hundred roles and the performance work for tens of thousands.

Shape of the organization
-------------------------
* Account 0 is the management account; account 1 (when there are two or more) is a *tooling* account that runs the
  CI/CD pipeline, account 2 (three or more) a *security* account. The rest are workload accounts spread over the OUs
  Workloads-Prod, Workloads-NonProd and Sandbox. A handful of vendor accounts and one partner account exist outside
  the organization (referenced by trust policies, not exported), as in real estates.
* Every account gets the roles AWS and a landing zone put there: ``OrganizationAccountAccessRole`` (members),
  service-linked roles for Support and Trusted Advisor (plus Organizations and SSO in the management account),
  3-5 IAM Identity Center roles ``AWSReservedSSO_<set>_<hex>`` under ``/aws-reserved/sso.amazonaws.com/``, and in
  members a ``DeploymentRole`` trusting the tooling account's ``GitHubDeployPipelineRole`` (itself trusted by the
  GitHub OIDC provider, pinned to the infrastructure repository's main branch), a ``TerraformApplyRole``
  (AdministratorAccess) trusting ``DeploymentRole`` in about half of them — a 3-hop chain from GitHub to an admin
  role — and a ``SecurityAuditRole`` trusting the security account's scanner role (a 2-hop chain from a service).
  When ``roles_per_account`` is smaller than this baseline, the baseline is truncated (in the order above).
* The remaining roles are drawn from the mix below. Users are few (modern estates sign in through Identity Center;
  IAM users survive in the management account and as legacy service users), in groups with managed policies.

Proportions of the drawn roles (``ROLE_MIX``), and why
-----------------------------------------------------
Public surveys give orders of magnitude, not a census; every number below is a judgement informed by them, chosen so
that an organization of a few hundred roles shows every kind of finding a few times.

============================  =====  =======================================================================
kind                          share  reasoning
============================  =====  =======================================================================
service role                  0.36   workload roles for EC2 (with instance profile), Lambda, ECS tasks, Glue,
                                     CodeBuild, Step Functions: the bulk of roles in application accounts
                                     (judgement; consistent with role inventories published by IAM tooling
                                     vendors, where service roles dominate)
service-linked role           0.15   AWS creates one per service used (ELB, Auto Scaling, RDS, ECS, ...);
                                     judgement, capped by the number of distinct services in the table
cross-account tooling         0.13   monitoring, backup and log-shipping roles trusting a central account of
                                     the organization (account root or a named role)
same-account operator role    0.09   ops/developer roles trusting the account root, a quarter requiring MFA
vendor (third-party) role     0.08   SaaS integrations trusting a vendor account; Datadog's *State of Cloud
                                     Security* reports find that most such roles use an external ID and a
                                     small minority do not. Here 84% use StringEquals sts:ExternalId, 10% have
                                     no condition, 3% StringLike "*" and 3% StringEqualsIfExists (vacuous):
                                     judgement, inflated so that small organizations show the problem
GitHub Actions OIDC role      0.06   70% pinned to a repository and branch/environment, 15% to a repository
                                     (``repo:org/app:*``), 5% to the GitHub organization with the slash, 5%
                                     with the prefix wildcard ``repo:org*`` and 5% without ``sub`` (Datadog
                                     Security Labs, 2023, found unpinned roles in the wild; the split is a
                                     judgement)
role chained in the account   0.05   a role trusting another role of the same account (job runners, break
                                     glass), half of them administrators
org-scoped Principal "*"      0.04   ``aws:PrincipalOrgID`` guards (shared read roles)
cross-service deputy          0.025  AWS Config / SNS delivery roles, 60% with aws:SourceAccount
public role                   0.005  Principal "*" with no condition: rare, but present in large estates
============================  =====  =======================================================================

Trust policies repeat as they do in real estates: one document per service principal, per Identity Center provider,
per central tooling role, per GitHub repository pin; the solver's cache depends on this.

Reproducibility: everything comes from ``random.Random(seed)``; timestamps are derived from the seed (never the clock);
JSON is written with sorted keys. The same arguments produce the same bytes on every platform and Python >= 3.11.

AWS managed policies appear in ``Policies`` only when attached, as in a real export; the documents of the
service-linked role policies are abbreviated to a few representative read-only statements (the real ones run to
tens of kilobytes and grant no ``sts:AssumeRole``).
"""

from __future__ import annotations

import base64
import functools
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trustgraph.errors import UsageError

Json = dict[str, Any]

MAX_ACCOUNTS = 10_000
MAX_ROLES_PER_ACCOUNT = 5_000  # IAM's hard quota on roles per account

ROLE_MIX: tuple[tuple[str, float], ...] = (
    ("service", 0.36),
    ("service-linked", 0.15),
    ("cross-account-tooling", 0.13),
    ("same-account-operator", 0.09),
    ("vendor", 0.08),
    ("github-oidc", 0.06),
    ("chained", 0.05),
    ("org-scoped", 0.04),
    ("cross-service", 0.025),
    ("public", 0.005),
)
"""Kinds of the drawn roles and their shares (see the module docstring for the reasoning)."""

VENDORS = ("acme-monitoring", "cloudcost", "secscan", "logship", "backupco", "example-corp")
OUS = ("Security", "Infrastructure", "Workloads-Prod", "Workloads-NonProd", "Sandbox")
PERMISSION_SETS = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "Billing", "SecurityAudit",
                   "DataScientist")
SERVICES = (  # (principal, name stem, weight, managed policy or None, instance profile)
    ("ec2.amazonaws.com", "Ec2", 0.30, "AmazonSSMManagedInstanceCore", True),
    ("lambda.amazonaws.com", "Lambda", 0.40, "AWSLambdaBasicExecutionRole", False),
    ("ecs-tasks.amazonaws.com", "EcsTask", 0.15, "AmazonECSTaskExecutionRolePolicy", False),
    ("glue.amazonaws.com", "Glue", 0.05, None, False),
    ("codebuild.amazonaws.com", "CodeBuild", 0.05, None, False),
    ("states.amazonaws.com", "StepFunctions", 0.05, None, False),
)
SERVICE_LINKED = (  # (service principal, role name, AWS managed policy name)
    ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing",
     "AWSElasticLoadBalancingServiceRolePolicy"),
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"),
    ("rds.amazonaws.com", "AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    ("cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy"),
    ("config.amazonaws.com", "AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy"),
    ("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    ("securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy"),
    ("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy"),
    ("dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
     "AWSApplicationAutoscalingDynamoDBTablePolicy"),
    ("backup.amazonaws.com", "AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup"),
)
GITHUB_HOST = "token.actions.githubusercontent.com"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_V = "2012-10-17"


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What :func:`synthesize` wrote."""

    out_dir: str
    seed: int
    org_id: str
    accounts: int
    roles: int
    users: int
    groups: int
    files: int
    bytes: int
    roles_by_kind: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        """One line for the command line."""
        kinds = ", ".join(f"{k} {n}" for k, n in self.roles_by_kind)
        return (f"wrote {self.files} files ({self.bytes / 1e6:.1f} MB) to {self.out_dir}: organization "
                f"{self.org_id}, {self.accounts} accounts, {self.roles} roles ({kinds}), {self.users} users in "
                f"{self.groups} groups, seed {self.seed}")


def _doc(*statements: Json) -> Json:
    return {"Version": _V, "Statement": list(statements)}


def _allow(action: str | list[str], resource: str | list[str] = "*", condition: Json | None = None) -> Json:
    st: Json = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def _trust(principal: Json | str, action: str | list[str] = "sts:AssumeRole", condition: Json | None = None) -> Json:
    st: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return _doc(st)


_ABBREVIATED_READ = ("ec2:Describe*", "cloudwatch:GetMetricData", "logs:DescribeLogGroups", "tag:GetResources")
AWS_MANAGED_DOCS: dict[str, tuple[str, Json]] = {  # name -> (path, document)
    "AdministratorAccess": ("/", _doc(_allow("*"))),
    "AWSLambdaBasicExecutionRole": ("/service-role/", _doc(_allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonSSMManagedInstanceCore": ("/", _doc(_allow(
        ["ssm:DescribeAssociation", "ssm:GetDocument", "ssm:ListAssociations", "ssm:UpdateInstanceInformation"]),
        _allow(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]),
        _allow(["ec2messages:GetMessages", "ec2messages:SendReply", "ec2messages:AcknowledgeMessage"]))),
    "AmazonECSTaskExecutionRolePolicy": ("/service-role/", _doc(_allow(
        ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
         "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]))),
}


class _Ids:
    """Unique IAM ids (prefix + 17 base-32 characters) and timestamps, all from the seeded generator."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seen: set[str] = set()
        self.epoch = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(days=(seed * 7919) % 1500)

    def unique(self, prefix: str) -> str:
        while True:
            text = "".join(self.rng.choices(_B32, k=17))
            if text not in self.seen:
                self.seen.add(text)
                return prefix + text

    def stamp(self, max_days: int = 1800) -> str:
        moment = self.epoch + timedelta(seconds=self.rng.randrange(max_days * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"


@dataclass
class _Role:
    name: str
    path: str
    trust: Json
    kind: str
    inline: dict[str, Json]
    managed: list[str]  # policy ARNs
    profile: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    max_session: int = 3600


@dataclass
class _Account:
    account_id: str
    name: str
    ou: str | None
    roles: list[_Role]
    users: list[Json]
    groups: list[Json]
    customer_policies: dict[str, Json]
    saml_providers: list[str]
    oidc_providers: list[str]


class _Builder:
    """Draws the organization; one instance per :func:`synthesize` call."""

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = _Ids(self.rng, seed)
        self.n = accounts
        self.m = roles_per_account
        self.seed = seed
        numbers = self.rng.sample(range(100_000_000_000, 1_000_000_000_000), accounts + len(VENDORS) + 1)
        self.account_ids = [f"{x:012d}" for x in numbers[:accounts]]
        self.vendor_ids = {v: f"{x:012d}" for v, x in zip(VENDORS, numbers[accounts:-1], strict=True)}
        self.partner_id = f"{numbers[-1]:012d}"
        self.org_id = "o-" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        self.root_id = "r-" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4))
        self.ou_ids = {ou: f"ou-{self.root_id[2:]}-{self.ids.hex(8)}" for ou in OUS}
        self.gh_org = f"org{seed % 1000:03d}"
        self.mgmt = self.account_ids[0]
        self.tooling = self.account_ids[1] if accounts >= 2 else self.mgmt
        self.security = self.account_ids[2] if accounts >= 3 else self.tooling
        self.repos = [f"service-{i:02d}" for i in range(30)]
        self._trust_cache: dict[tuple[Any, ...], Json] = {}
        kinds, weights = zip(*ROLE_MIX, strict=True)
        self.kinds: tuple[str, ...] = kinds
        self.cum_weights = _cumulative(weights)
        svc_weights = [s[2] for s in SERVICES]
        self.svc_cum = _cumulative(svc_weights)
        self.kind_counts: dict[str, int] = {}

    # ---- shared trust documents (identical objects are reused, as identical documents recur in real estates)

    def shared(self, key: tuple[Any, ...], make: Callable[[], Json]) -> Json:
        doc = self._trust_cache.get(key)
        if doc is None:
            doc = self._trust_cache[key] = make()
        return doc

    def arn(self, account: str, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{account}:{kind}{path}{name}"

    # ---- the accounts

    def ou_of(self, index: int) -> str | None:
        if index == 0:
            return None
        if self.account_ids[index] == self.tooling:
            return "Infrastructure"
        if self.account_ids[index] == self.security:
            return "Security"
        return self.rng.choices(("Workloads-Prod", "Workloads-NonProd", "Sandbox"), (0.45, 0.4, 0.15))[0]

    def build(self) -> list[_Account]:
        out = []
        for i, account in enumerate(self.account_ids):
            ou = self.ou_of(i)
            name = "management" if i == 0 else ("tooling" if account == self.tooling else
                                                ("security" if account == self.security else
                                                 f"{(ou or 'x').lower().replace('workloads-', '')}-{i:03d}"))
            acct = _Account(account, name, ou, [], [], [], {}, [], [])
            self.baseline(acct, i)
            del acct.roles[self.m:]
            used = {r.name for r in acct.roles}
            while len(acct.roles) < self.m:
                role = self.draw(acct, used)
                used.add(role.name)
                acct.roles.append(role)
            self.people(acct, i)
            for role in acct.roles:
                self.kind_counts[role.kind] = self.kind_counts.get(role.kind, 0) + 1
            out.append(acct)
        return out

    def baseline(self, acct: _Account, index: int) -> None:
        a = acct.account_id
        roles = acct.roles
        sso = f"arn:aws:iam::{a}:saml-provider/AWSSSO_{self.ids.hex(16)}_DO_NOT_DELETE"
        acct.saml_providers.append(sso)
        gh = f"arn:aws:iam::{self.tooling}:oidc-provider/{GITHUB_HOST}"
        if a == self.tooling:
            acct.oidc_providers.append(gh)
            roles.append(_Role("GitHubDeployPipelineRole", "/", self.shared(("gh", "infra"), lambda: _trust(
                {"Federated": gh}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
                    f"{GITHUB_HOST}:aud": "sts.amazonaws.com",
                    f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/infrastructure:ref:refs/heads/main"}})),
                "github-oidc", {"AssumeDeploymentRoles": self.shared(("assume", "DeploymentRole"), lambda: _doc(
                    _allow("sts:AssumeRole", "arn:aws:iam::*:role/DeploymentRole")))}, []))
        if a == self.security:
            roles.append(_Role("SecurityScannerRole", "/", self.shared(("svc", "lambda.amazonaws.com"), lambda: _trust(
                {"Service": "lambda.amazonaws.com"})), "service", {"AssumeAuditRoles": self.shared(
                    ("assume", "SecurityAuditRole"), lambda: _doc(
                        _allow("sts:AssumeRole", "arn:aws:iam::*:role/SecurityAuditRole")))},
                [self.aws_policy("AWSLambdaBasicExecutionRole")]))
        if index > 0:
            roles.append(_Role("OrganizationAccountAccessRole", "/", self.shared(
                ("root", self.mgmt), lambda: _trust({"AWS": f"arn:aws:iam::{self.mgmt}:root"})),
                "cross-account-tooling", {}, [self.aws_policy("AdministratorAccess")]))
        slrs = [("support.amazonaws.com", "AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy"),
                ("trustedadvisor.amazonaws.com", "AWSServiceRoleForTrustedAdvisor",
                 "AWSTrustedAdvisorServiceRolePolicy")]
        if index == 0:
            slrs += [("organizations.amazonaws.com", "AWSServiceRoleForOrganizations",
                      "AWSOrganizationsServiceTrustPolicy"),
                     ("sso.amazonaws.com", "AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy")]
        for principal, name, policy in slrs:
            roles.append(self.slr(principal, name, policy))
        sets = PERMISSION_SETS[: 3 + self.rng.randrange(3)]
        sso_trust = _trust({"Federated": sso}, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                           {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})
        for pset in sets:
            managed = [self.aws_policy("AdministratorAccess")] if pset == "AdministratorAccess" else []
            inline = {} if managed else {"AwsSSOInlinePolicy": _doc(_allow(list(_ABBREVIATED_READ)))}
            roles.append(_Role(f"AWSReservedSSO_{pset}_{self.ids.hex(16)}", "/aws-reserved/sso.amazonaws.com/",
                               sso_trust, "identity-center", inline, managed, max_session=43200))
        if index > 0 and a != self.tooling:
            roles.append(_Role("DeploymentRole", "/", self.shared(("role", self.tooling, "GitHubDeployPipelineRole"),
                               lambda: _trust({"AWS": self.arn(self.tooling, "role", "GitHubDeployPipelineRole")})),
                               "cross-account-tooling", {"AssumeTerraform": _doc(_allow(
                                   "sts:AssumeRole", self.arn(a, "role", "TerraformApplyRole")))},
                               [self.customer_policy(acct, "DeploymentAccess", _doc(_allow(
                                   ["ecs:UpdateService", "ecs:Describe*", "ecr:*", "cloudformation:*"])))]))
            if self.rng.random() < 0.5:
                roles.append(_Role("TerraformApplyRole", "/", _trust({"AWS": self.arn(a, "role", "DeploymentRole")}),
                                   "chained", {}, [self.aws_policy("AdministratorAccess")]))
        if index > 0 and a != self.security:
            roles.append(_Role("SecurityAuditRole", "/", self.shared(("role", self.security, "SecurityScannerRole"),
                               lambda: _trust({"AWS": self.arn(self.security, "role", "SecurityScannerRole")})),
                               "cross-account-tooling", {"Audit": self.shared(("audit",), lambda: _doc(_allow(
                                   ["iam:Get*", "iam:List*", "ec2:Describe*", "s3:GetBucketPolicy",
                                    "config:Describe*"])))}, []))

    def slr(self, principal: str, name: str, policy: str) -> _Role:
        trust = self.shared(("slr", principal), lambda: _doc(
            {"Effect": "Allow", "Principal": {"Service": [principal]}, "Action": ["sts:AssumeRole"]}))
        return _Role(name, f"/aws-service-role/{principal}/", trust, "service-linked", {},
                     [self.aws_policy(policy, slr=True)])

    def aws_policy(self, name: str, slr: bool = False) -> str:
        if slr:
            return f"arn:aws:iam::aws:policy/aws-service-role/{name}"
        path = AWS_MANAGED_DOCS[name][0]
        return f"arn:aws:iam::aws:policy{path}{name}"

    def customer_policy(self, acct: _Account, name: str, document: Json) -> str:
        acct.customer_policies.setdefault(name, document)
        return self.arn(acct.account_id, "policy", name)

    # ---- drawn roles

    def draw(self, acct: _Account, used: set[str]) -> _Role:
        kind = self.rng.choices(self.kinds, cum_weights=self.cum_weights)[0]
        make: Callable[[_Account, set[str]], _Role] = getattr(self, "role_" + kind.replace("-", "_"))
        role = make(acct, used)
        if role.name in used:  # keep names unique within the account
            n = 2
            while f"{role.name}{n}" in used:
                n += 1
            role.name = f"{role.name}{n}"
        return role

    def _n(self) -> str:
        return f"{self.rng.randrange(1000):03d}"

    def role_service(self, acct: _Account, used: set[str]) -> _Role:
        principal, stem, _, managed, profile = SERVICES[self.rng.choices(range(len(SERVICES)),
                                                                          cum_weights=self.svc_cum)[0]]
        trust = self.shared(("svc", principal), lambda: _trust({"Service": principal}))
        app = self.rng.choice(("orders", "billing", "search", "ingest", "reports", "auth", "catalog", "etl"))
        policies = [self.customer_policy(acct, f"{app}-app-access", _doc(_allow(
            ["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{acct.name}-{app}/*"),
            _allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                   f"arn:aws:dynamodb:*:{acct.account_id}:table/{app}-*")))]
        if managed:
            policies.append(self.aws_policy(managed))
        path = "/service-role/" if stem in ("Lambda", "StepFunctions", "CodeBuild") else "/"
        return _Role(f"{app}-{stem}Role-{self._n()}", path, trust, "service", {}, policies, profile=profile)

    def role_service_linked(self, acct: _Account, used: set[str]) -> _Role:
        free = [s for s in SERVICE_LINKED if s[1] not in used]
        if not free:
            return self.role_service(acct, used)
        return self.slr(*self.rng.choice(free))

    def role_cross_account_tooling(self, acct: _Account, used: set[str]) -> _Role:
        purpose = self.rng.choice(("Monitoring", "Backup", "LogShipping", "Inventory"))
        if purpose == "Inventory":  # the security account's scanner role, named directly
            trust = self.shared(("role", self.security, "SecurityScannerRole"), lambda: _trust(
                {"AWS": self.arn(self.security, "role", "SecurityScannerRole")}))
        else:  # a central account, delegated to its administrators through its root
            central = self.security if purpose == "LogShipping" else self.tooling
            trust = self.shared(("root", central), lambda: _trust({"AWS": f"arn:aws:iam::{central}:root"}))
        inline = {"Read": self.shared(("tooling", purpose), lambda: _doc(_allow(
            ["cloudwatch:GetMetricData", "logs:FilterLogEvents", "backup:List*", "ec2:Describe*"])))}
        return _Role(f"{purpose}ReadRole", "/", trust, "cross-account-tooling", inline, [])

    def role_same_account_operator(self, acct: _Account, used: set[str]) -> _Role:
        a = acct.account_id
        mfa = self.rng.random() < 0.25
        trust = self.shared(("root", a, mfa), lambda: _trust(
            {"AWS": f"arn:aws:iam::{a}:root"},
            condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}} if mfa else None))
        team = self.rng.choice(("platform", "data", "payments", "mobile", "web", "sre"))
        policy = self.customer_policy(acct, f"{team}-operator", _doc(_allow(
            ["ec2:*", "ecs:*", "logs:*", "cloudwatch:*"]), _allow("s3:*", f"arn:aws:s3:::{acct.name}-{team}*")))
        return _Role(f"{team}-operator{'-mfa' if mfa else ''}", "/", trust, "same-account-operator", {}, [policy],
                     tags=(("team", team),))

    def role_vendor(self, acct: _Account, used: set[str]) -> _Role:
        vendor = self.rng.choice(VENDORS)
        vendor_root = f"arn:aws:iam::{self.vendor_ids[vendor]}:root"
        draw = self.rng.random()
        external_id = f"{vendor}-{acct.account_id[-6:]}-{self.ids.hex(8)}"
        if draw < 0.84:
            condition: Json | None = {"StringEquals": {"sts:ExternalId": external_id}}
        elif draw < 0.94:
            condition = None
        elif draw < 0.97:
            condition = {"StringLike": {"sts:ExternalId": "*"}}
        else:
            condition = {"StringEqualsIfExists": {"sts:ExternalId": external_id}}
        if condition is None:
            trust = self.shared(("root", vendor_root), lambda: _trust({"AWS": vendor_root}))
        else:
            trust = _trust({"AWS": vendor_root}, condition=condition)
        inline = {"VendorRead": self.shared(("vendor-read",), lambda: _doc(_allow(list(_ABBREVIATED_READ))))}
        name = "".join(part.capitalize() for part in vendor.split("-"))
        return _Role(f"{name}IntegrationRole", "/", trust, "vendor", inline, [], tags=(("vendor", vendor),))

    def role_github_oidc(self, acct: _Account, used: set[str]) -> _Role:
        a = acct.account_id
        provider = f"arn:aws:iam::{a}:oidc-provider/{GITHUB_HOST}"
        if provider not in acct.oidc_providers:
            acct.oidc_providers.append(provider)
        repo = self.rng.choice(self.repos)
        draw = self.rng.random()
        aud = {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}
        if draw < 0.70:
            ref = self.rng.choice(("ref:refs/heads/main", "environment:production", "environment:staging"))
            key: tuple[Any, ...] = ("gh", a, repo, ref)
            cond: Json = {"StringEquals": {**aud, f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/{repo}:{ref}"}}
        elif draw < 0.85:
            key, cond = ("gh", a, repo, "*"), {"StringEquals": aud,
                                               "StringLike": {f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/{repo}:*"}}
        elif draw < 0.90:
            key, cond = ("gh", a, "org/"), {"StringEquals": aud,
                                            "StringLike": {f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/*"}}
        elif draw < 0.95:
            key, cond = ("gh", a, "org*"), {"StringEquals": aud,
                                            "StringLike": {f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}*"}}
        else:
            key, cond = ("gh", a, "unpinned"), {"StringEquals": aud}
        trust = self.shared(key, lambda: _trust({"Federated": provider}, "sts:AssumeRoleWithWebIdentity", cond))
        inline = {"Ci": _doc(_allow(["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:UploadLayerPart",
                                     "s3:PutObject"]))}
        return _Role(f"github-{repo}", "/ci/", trust, "github-oidc", inline, [])

    def role_chained(self, acct: _Account, used: set[str]) -> _Role:
        a = acct.account_id
        candidates = [r for r in acct.roles if r.kind in ("same-account-operator", "service", "chained")
                      and not r.path.startswith("/aws-")]
        if not candidates:
            return self.role_same_account_operator(acct, used)
        source = self.rng.choice(candidates)
        source_arn = self.arn(a, "role", source.name, source.path)
        admin = self.rng.random() < 0.5
        name = f"{'breakglass-admin' if admin else 'job-runner'}-{self._n()}"
        source.inline.setdefault("AssumeNext", _doc(_allow("sts:AssumeRole", self.arn(a, "role", name))))
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline = {} if admin else {"Jobs": _doc(_allow(["batch:SubmitJob", "batch:Describe*"]))}
        return _Role(name, "/", _trust({"AWS": source_arn}), "chained", inline, managed)

    def role_org_scoped(self, acct: _Account, used: set[str]) -> _Role:
        trust = self.shared(("org",), lambda: _trust({"AWS": "*"}, condition={
            "StringEquals": {"aws:PrincipalOrgID": self.org_id}}))
        return _Role(f"shared-read-{self._n()}", "/", trust, "org-scoped", {"SharedRead": self.shared(
            ("shared-read",), lambda: _doc(_allow(["s3:GetObject", "s3:ListBucket"])))}, [])

    def role_cross_service(self, acct: _Account, used: set[str]) -> _Role:
        a = acct.account_id
        service = self.rng.choice(("config.amazonaws.com", "sns.amazonaws.com"))
        guarded = self.rng.random() < 0.6
        trust = self.shared(("xsvc", service, a if guarded else None), lambda: _trust(
            {"Service": service}, condition={"StringEquals": {"aws:SourceAccount": a}} if guarded else None))
        stem = "ConfigDelivery" if service.startswith("config") else "SnsDeliveryStatus"
        inline = {"Deliver": _doc(_allow(["s3:PutObject", "logs:CreateLogStream", "logs:PutLogEvents"]))}
        return _Role(f"{stem}Role", "/service-role/", trust, "cross-service", inline, [])

    def role_public(self, acct: _Account, used: set[str]) -> _Role:
        trust = self.shared(("public",), lambda: _trust({"AWS": "*"}))
        return _Role(f"public-debug-{self._n()}", "/", trust, "public", {"Logs": _doc(_allow(
            ["logs:GetLogEvents", "logs:FilterLogEvents"]))}, [])

    # ---- users and groups

    def people(self, acct: _Account, index: int) -> None:
        a = acct.account_id
        groups: dict[str, tuple[list[str], dict[str, Json]]]
        users: list[tuple[str, str | None]]
        if index == 0:
            groups = {"Admins": ([self.aws_policy("AdministratorAccess")], {}),
                      "BillingAdmins": ([], {"Billing": _doc(_allow(["aws-portal:*", "ce:*", "budgets:*"]))})}
            users = [("breakglass-admin", "Admins"), ("billing-ops", "BillingAdmins")]
        else:
            operators = [self.arn(a, "role", r.name, r.path) for r in acct.roles if r.kind == "same-account-operator"]
            groups = {}
            users = []
            if operators and self.rng.random() < 0.4:
                groups["Operators"] = ([], {"AssumeOperatorRoles": _doc(_allow("sts:AssumeRole", operators[:10]))})
                users += [(f"legacy-operator-{k}", "Operators") for k in range(1 + self.rng.randrange(2))]
            if self.rng.random() < 0.3:
                users.append(("svc-legacy-uploader", None))
        for gname, (managed, inline) in groups.items():
            acct.groups.append({
                "Path": "/", "GroupName": gname, "GroupId": self.ids.unique("AGPA"),
                "Arn": self.arn(a, "group", gname), "CreateDate": self.ids.stamp(),
                "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
                "AttachedManagedPolicies": [{"PolicyName": p.rsplit("/", 1)[1], "PolicyArn": p} for p in managed],
            })
        for uname, group in users:
            inline = {} if group else {"Upload": _doc(_allow("s3:PutObject", f"arn:aws:s3:::{acct.name}-uploads/*"))}
            acct.users.append({
                "Path": "/", "UserName": uname, "UserId": self.ids.unique("AIDA"),
                "Arn": self.arn(a, "user", uname), "CreateDate": self.ids.stamp(),
                "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
                "GroupList": [group] if group else [], "AttachedManagedPolicies": [], "Tags": [],
            })


def _cumulative(weights: Any) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# ---- serialization ---------------------------------------------------------------------------------------------


def _gaad(acct: _Account, ids: _Ids) -> Json:
    a = acct.account_id
    attached: dict[str, int] = {}
    roles = []
    for role in acct.roles:
        arn = f"arn:aws:iam::{a}:role{role.path}{role.name}"
        rid = ids.unique("AROA")
        created = ids.stamp()
        tags = [{"Key": k, "Value": v} for k, v in role.tags]
        for p in role.managed:
            attached[p] = attached.get(p, 0) + 1
        profiles = []
        if role.profile:
            profiles.append({
                "Path": role.path, "InstanceProfileName": role.name, "InstanceProfileId": ids.unique("AIPA"),
                "Arn": f"arn:aws:iam::{a}:instance-profile{role.path}{role.name}", "CreateDate": created,
                "Roles": [{"Path": role.path, "RoleName": role.name, "RoleId": rid, "Arn": arn, "CreateDate": created,
                           "AssumeRolePolicyDocument": role.trust, "MaxSessionDuration": role.max_session,
                           "Tags": tags, "RoleLastUsed": {}}],
                "Tags": [],
            })
        roles.append({
            "Path": role.path, "RoleName": role.name, "RoleId": rid, "Arn": arn, "CreateDate": created,
            "AssumeRolePolicyDocument": role.trust, "InstanceProfileList": profiles,
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in role.inline.items()],
            "AttachedManagedPolicies": [{"PolicyName": p.rsplit("/", 1)[1], "PolicyArn": p} for p in role.managed],
            "Tags": tags, "RoleLastUsed": {},
        })
    for entity in acct.groups + acct.users:
        for ref in entity["AttachedManagedPolicies"]:
            attached[ref["PolicyArn"]] = attached.get(ref["PolicyArn"], 0) + 1
    policies = []
    for name, document in acct.customer_policies.items():
        arn = f"arn:aws:iam::{a}:policy/{name}"
        created = ids.stamp()
        policies.append(_managed_entry(name, arn, "/", ids.unique("ANPA"), created, document, attached.get(arn, 0)))
    for arn in sorted(p for p in attached if p.startswith("arn:aws:iam::aws:")):
        name = arn.rsplit("/", 1)[1]
        if arn.startswith("arn:aws:iam::aws:policy/aws-service-role/"):
            path, document = "/aws-service-role/", _doc(_allow(list(_ABBREVIATED_READ)))
        else:
            path, document = AWS_MANAGED_DOCS[name]
        policies.append(_managed_entry(name, arn, path, _aws_policy_id(name), "2016-01-01T00:00:00Z", document,
                                       attached[arn]))
    return {"UserDetailList": acct.users, "GroupDetailList": acct.groups, "RoleDetailList": roles,
            "Policies": policies}


@functools.cache
def _aws_policy_id(name: str) -> str:
    """A stable ANPA id for an AWS managed policy (the same in every account, as in IAM)."""
    value = 0
    for ch in name:
        value = (value * 131 + ord(ch)) % (1 << 85)
    return "ANPA" + base64.b32encode(value.to_bytes(11, "big")).decode()[:17]


def _managed_entry(name: str, arn: str, path: str, pid: str, created: str, document: Json, count: int) -> Json:
    return {"PolicyName": name, "PolicyId": pid, "Arn": arn, "Path": path, "DefaultVersionId": "v1",
            "AttachmentCount": count, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True,
                                   "CreateDate": created}]}


def _org_files(b: _Builder, accounts: list[_Account]) -> dict[str, Json]:
    import json

    m = b.mgmt
    org = b.org_id
    root_arn = f"arn:aws:organizations::{m}:root/{org}/{b.root_id}"
    files: dict[str, Json] = {
        "org-describe-organization.json": {"Organization": {
            "Id": org, "Arn": f"arn:aws:organizations::{m}:organization/{org}", "FeatureSet": "ALL",
            "MasterAccountArn": f"arn:aws:organizations::{m}:account/{org}/{m}", "MasterAccountId": m,
            "MasterAccountEmail": "aws-management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}},
        "org-list-accounts.json": {"Accounts": [
            {"Id": acct.account_id, "Arn": f"arn:aws:organizations::{m}:account/{org}/{acct.account_id}",
             "Email": f"aws+{acct.name}@example.com", "Name": acct.name, "Status": "ACTIVE",
             "JoinedMethod": "INVITED" if acct.account_id == m else "CREATED",
             "JoinedTimestamp": b.ids.epoch.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")}
            for acct in accounts]},
        "org-list-roots.json": {"Roots": [{"Id": b.root_id, "Arn": root_arn, "Name": "Root", "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"}]}]},
    }
    used_ous = [ou for ou in OUS if any(acct.ou == ou for acct in accounts)]
    for ou in used_ous:
        files[f"org-list-parents-{b.ou_ids[ou]}.json"] = {"ChildId": b.ou_ids[ou],
                                                         "Parents": [{"Id": b.root_id, "Type": "ROOT"}]}
    for acct in accounts:
        parent = ({"Id": b.ou_ids[acct.ou], "Type": "ORGANIZATIONAL_UNIT"} if acct.ou
                  else {"Id": b.root_id, "Type": "ROOT"})
        files[f"org-list-parents-{acct.account_id}.json"] = {"ChildId": acct.account_id, "Parents": [parent]}
    everywhere = [{"TargetId": b.root_id, "Arn": root_arn, "Name": "Root", "Type": "ROOT"}]
    everywhere += [{"TargetId": b.ou_ids[ou], "Arn": f"arn:aws:organizations::{m}:ou/{org}/{b.ou_ids[ou]}",
                    "Name": ou, "Type": "ORGANIZATIONAL_UNIT"} for ou in used_ous]
    everywhere += [{"TargetId": acct.account_id, "Arn": f"arn:aws:organizations::{m}:account/{org}/{acct.account_id}",
                    "Name": acct.name, "Type": "ACCOUNT"} for acct in accounts]
    scp_id, rcp_id = f"p-{b.ids.hex(8)}", f"p-{b.ids.hex(8)}"
    policies = [
        ("p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True,
         _doc(_allow("*")), everywhere),
        ("p-RCPFullAWSAccess", "RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY", True,
         _doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}), everywhere),
        (scp_id, "DenyLeaveOrganization", "SERVICE_CONTROL_POLICY", False,
         _doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}), everywhere[:1]),
        (rcp_id, "EnforceS3SecureTransport", "RESOURCE_CONTROL_POLICY", False,
         _doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}), everywhere[:1]),
    ]
    for pid, name, ptype, managed, content, targets in policies:
        folder = ptype.lower()
        arn = (f"arn:aws:organizations::aws:policy/{folder}/{pid}" if managed
               else f"arn:aws:organizations::{m}:policy/{org}/{folder}/{pid}")
        files[f"org-describe-policy-{pid}.json"] = {"Policy": {
            "PolicySummary": {"Id": pid, "Arn": arn, "Name": name, "Description": name, "Type": ptype,
                              "AwsManaged": managed},
            "Content": json.dumps(content, separators=(",", ":"), sort_keys=True)}}
        files[f"org-list-targets-for-policy-{pid}.json"] = {"PolicyId": pid, "Targets": targets}
    return files


def _provider_files(b: _Builder, accounts: list[_Account]) -> dict[str, Json]:
    files: dict[str, Json] = {}
    created = b.ids.epoch.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    for acct in accounts:
        files[f"iam-list-saml-providers-{acct.account_id}.json"] = {"SAMLProviderList": [
            {"Arn": arn, "ValidUntil": "2125-01-01T00:00:00+00:00", "CreateDate": created}
            for arn in acct.saml_providers]}
        if acct.oidc_providers:
            files[f"iam-list-open-id-connect-providers-{acct.account_id}.json"] = {
                "OpenIDConnectProviderList": [{"Arn": arn} for arn in acct.oidc_providers]}
    return files


def synthesize(out_dir: str | os.PathLike[str], *, accounts: int, roles_per_account: int, seed: int) -> SynthSummary:
    """Write a generated organization to ``out_dir`` (created if needed; files of the same names are replaced).

    Parameters
    ----------
    out_dir
        Destination directory.
    accounts
        Number of accounts in the organization (the first is the management account), 1 to 10,000.
    roles_per_account
        Exact number of roles written per account, 1 to 5,000 (IAM's quota).
    seed
        Everything is derived from it: the same arguments give the same bytes.

    Returns
    -------
    SynthSummary
        Counts of what was written.

    Raises
    ------
    UsageError
        For counts out of range, when ``out_dir`` exists and is not a directory, or when it holds JSON files this
        call would not overwrite (a previous organization of another shape or seed: loading the directory would mix
        them). Re-running the same arguments into the same directory is fine.
    """
    import orjson

    if not 1 <= accounts <= MAX_ACCOUNTS:
        raise UsageError(f"--accounts must be between 1 and {MAX_ACCOUNTS}, got {accounts}")
    if not 1 <= roles_per_account <= MAX_ROLES_PER_ACCOUNT:
        raise UsageError(f"--roles-per-account must be between 1 and {MAX_ROLES_PER_ACCOUNT}, got "
                         f"{roles_per_account}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    builder = _Builder(accounts, roles_per_account, seed)
    built = builder.build()
    files: dict[str, Json] = {}
    for acct in built:
        files[f"gaad-{acct.account_id}.json"] = _gaad(acct, builder.ids)
    files.update(_org_files(builder, built))
    files.update(_provider_files(builder, built))
    stray = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")
                   if p.relative_to(out).as_posix() not in files)
    if stray:
        raise UsageError(f"{out}: holds other JSON files ({stray[0]}{' and more' if len(stray) > 1 else ''}) that "
                         f"would be loaded with the generated organization: choose an empty directory")
    options = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    total = 0
    for name, data in files.items():
        payload = orjson.dumps(data, option=options)
        (out / name).write_bytes(payload)
        total += len(payload)
    return SynthSummary(
        out_dir=os.fspath(out), seed=seed, org_id=builder.org_id, accounts=accounts,
        roles=sum(len(a.roles) for a in built), users=sum(len(a.users) for a in built),
        groups=sum(len(a.groups) for a in built), files=len(files), bytes=total,
        roles_by_kind=tuple(sorted(builder.kind_counts.items())),
    )
