"""The ``random`` profile: an organization whose shape is drawn from the seed (:mod:`trustgraph.synth.random_shape`).

The named profiles each push one property far; performance must also hold on shapes nobody named. This builder knows
every kind of role the other profiles draw (it inherits their makers) plus a few of its own (SAML identity providers
other than Identity Center, OIDC issuers other than GitHub and GitLab: HCP Terraform, EKS service accounts, CircleCI),
and takes every proportion from the seed's :class:`~trustgraph.synth.random_shape.Shape`: the mixture of kinds, the
share of administrators, pipelines of stage roles and their length, fan-out of chains, trusts of account roots inside
the organization (hubs), condition keys per statement (IfExists, set operators, Null, globs, Deny statements),
federation and vendor density, ExternalId and MFA shares, ``aws:PrincipalOrgID`` versus ``aws:PrincipalOrgPaths``,
identity-policy sizes, wildcard ``sts:AssumeRole`` grants, users and groups.

The files are the same real AWS shapes as every profile's (``get-account-authorization-details`` exports and AWS
Organizations outputs, written by :mod:`trustgraph.synth.gaad` and :mod:`trustgraph.synth.organizations`); the same
arguments give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trustgraph.synth.catalog import GITHUB_HOST, PERMISSION_SETS, SSO_AUDIENCE
from trustgraph.synth.chains import STAGE_PATH, ChainBuilder
from trustgraph.synth.conditions import (
    AWS_CALLER,
    COMMON,
    OIDC_CALLER,
    SAML_CALLER,
    ConditionBuilder,
    Fragment,
    _frag,
)
from trustgraph.synth.core import cumulative
from trustgraph.synth.documents import ABBREVIATED_READ, Json, allow, doc, trust
from trustgraph.synth.federation import FederationBuilder
from trustgraph.synth.random_shape import PIN_TIGHTNESS, Shape, draw_shape
from trustgraph.synth.shapes import Account, Role
from trustgraph.synth.vendors import VendorBuilder

SERVICE_CALLER: tuple[Fragment, ...] = (
    _frag("StringEquals", "aws:SourceAccount", lambda b, a: a.account_id),
    _frag("ArnLike", "aws:SourceArn", lambda b, a: f"arn:aws:*:*:{a.account_id}:*"),
    _frag("StringEqualsIfExists", "aws:SourceOrgID", lambda b, a: b.org_id),
    _frag("StringEquals", "aws:RequestedRegion", lambda b, a: b.rng.choice(("us-east-1", "eu-west-1"))),
)
"""Keys of a request by an AWS service on a customer's behalf (the confused-deputy guards)."""

SAML_IDPS = ("Okta", "AzureAD", "GoogleWorkspace", "OneLogin")
TERRAFORM_HOST = "app.terraform.io"
EKS_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
IDENTITY_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:Query", "dynamodb:PutItem",
                    "sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey",
                    "logs:PutLogEvents", "ssm:GetParameter*", "secretsmanager:GetSecretValue", "ec2:Describe*",
                    "lambda:InvokeFunction", "states:StartExecution", "events:PutEvents", "kinesis:PutRecord*",
                    "ecr:BatchGetImage", "cloudwatch:PutMetricData")
ESCALATION_ACTIONS = ("iam:PassRole", "iam:CreatePolicyVersion", "iam:AttachRolePolicy", "iam:PutRolePolicy",
                      "iam:UpdateAssumeRolePolicy", "lambda:CreateFunction")
"""Actions that let a principal gain more rights (drawn into a few identity policies)."""


class RandomBuilder(FederationBuilder, ChainBuilder, VendorBuilder, ConditionBuilder):
    """Draws the ``random`` organization of a seed (its :class:`Shape` is :attr:`shape`)."""

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        self.shape: Shape = draw_shape(seed)
        kinds, weights = zip(*self.shape.weights, strict=True)
        self.kinds = kinds
        self.cum_weights = cumulative(weights)
        self.pin_kinds, pin_weights = zip(*self.shape.pin_weights, strict=True)
        self.pin_cum = cumulative(pin_weights)
        self.issuers, issuer_weights = zip(*self.shape.oidc_weights, strict=True)
        self.issuer_cum = cumulative(issuer_weights)
        self.last_stage: str | None = None  # the previous account's last pipeline stage, if it had a pipeline
        self.eks_clusters: dict[str, str] = {}  # account -> its cluster's OIDC id
        self.circleci_org: str | None = None
        self.deny_share = self.shape.deny_share  # share of conditioned trusts with a Deny statement

    def shape_line(self) -> str | None:
        return self.shape.describe()

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def admin(self) -> bool:
        return self.chance(self.shape.admin_share)

    def admin_policies(self, admin: bool) -> list[str]:
        return [self.aws_policy("AdministratorAccess")] if admin else []

    # ---- baseline

    def permission_sets(self) -> tuple[str, ...]:
        """Between the shape's least and most permission sets, AdministratorAccess first when drawn."""
        n = self.rng.randint(*self.shape.permission_sets)
        chosen = set(self.rng.sample(PERMISSION_SETS, n))
        return tuple(p for p in PERMISSION_SETS if p in chosen)

    def extra_baseline(self, acct: Account, index: int) -> None:
        if self.chance(self.shape.saml_share):
            self.saml_idp(acct)
        if self.chance(self.shape.federation_baseline):
            FederationBuilder.extra_baseline(self, acct, index)
        self.sources.extend(self.current)
        self.current = []
        if self.chance(self.shape.pipeline_share):
            self.pipeline(acct, index)
        else:
            self.last_stage = None

    def pipeline(self, acct: Account, index: int) -> None:
        """A chain of stage roles ending in an administrator; the first stage trusts the previous account's last
        stage (by ARN, or through its account root as a hub) or else the tooling account's root, and the last stage
        may assume the next account's first stage."""
        a = acct.account_id
        depth = self.rng.randint(*self.shape.stages)
        if self.last_stage is not None:
            entry = self.last_stage.split(":")[4] if self.chance(self.shape.hub_share) else None
            first = f"arn:aws:iam::{entry}:root" if entry else self.last_stage
        else:
            first = f"arn:aws:iam::{self.tooling}:root"
        kept = max(0, self.m - len(acct.roles))
        stages: list[Role] = []
        for k in range(1, depth + 1):
            principal = first if k == 1 else self.stage_arn(a, k - 1)
            inline: dict[str, Json] = {}
            if k < depth:
                inline["AssumeNextStage"] = doc(allow("sts:AssumeRole", self.stage_arn(a, k + 1)))
            elif index + 1 < self.n:
                inline["AssumeNextAccount"] = doc(allow("sts:AssumeRole",
                                                        self.stage_arn(self.account_ids[index + 1], 1)))
            stages.append(Role(f"stage-{k}", STAGE_PATH, trust({"AWS": principal}), "pipeline-stage", inline,
                               self.admin_policies(k == depth)))
        acct.roles.extend(stages)
        self.current = [(a, r) for r in stages[:kept]]
        self.last_stage = self.stage_arn(a, depth) if depth <= kept else None

    # ---- decorations of every drawn role

    def draw(self, acct: Account, used: set[str]) -> Role:
        role = super().draw(acct, used)
        if role.path.startswith("/aws-"):  # written by AWS: trust and policies are not the customer's
            return role
        s = self.shape
        if self.chance(s.extra_condition_share):
            role.trust = self.with_extra_keys(acct, role.trust)
        if self.chance(s.wildcard_assume_share):
            target = self.rng.choice(("*", "arn:aws:iam::*:role/*", f"arn:aws:iam::{acct.account_id}:role/*",
                                      "arn:aws:iam::*:role/ops-*"))
            role.inline["AssumeAnyRole"] = self.shared(("assume-any", target), lambda: doc(allow(
                "sts:AssumeRole", target)))
        statements = self.rng.randint(*s.policy_statements)
        if statements:
            role.inline["Workload"] = doc(*(self.identity_statement(acct) for _ in range(statements)))
        return role

    def identity_statement(self, acct: Account) -> Json:
        """One statement of an application's identity policy: a few actions on the account's resources, now and then
        an action that can escalate privileges or a region condition."""
        a = acct.account_id
        if self.chance(0.03):
            action = self.rng.choice(ESCALATION_ACTIONS)
            return allow(action, f"arn:aws:iam::{a}:role/*" if action.startswith("iam:") else "*")
        actions = sorted(self.rng.sample(IDENTITY_ACTIONS, self.rng.randint(1, 5)))
        service = actions[0].split(":")[0]
        name = f"{acct.name}-{self.rng.choice(('orders', 'billing', 'search', 'ingest', 'etl'))}-{self.serial()}"
        resource = (f"arn:aws:s3:::{name}/*" if service == "s3"
                    else f"arn:aws:{service}:{self.rng.choice(EKS_REGIONS)}:{a}:{name}*")
        condition = ({"StringEquals": {"aws:RequestedRegion": self.rng.choice(EKS_REGIONS)}}
                     if self.chance(0.1) else None)
        return allow(actions, resource, condition)

    def with_extra_keys(self, acct: Account, document: Json) -> Json:
        """``document`` with a few more condition keys on its Allow statements, fitting the kind of caller (one of
        four variants per document, so guarded documents still repeat)."""
        variant = self.rng.randrange(4)
        key = ("extra", json.dumps(document, sort_keys=True), variant)

        def make() -> Json:
            out: Json = json.loads(key[1])
            for st in out["Statement"]:
                if st["Effect"] == "Allow":
                    st["Condition"] = self.add_keys(acct, st.get("Condition", {}), self.callers(st["Principal"]),
                                                    self.rng.randint(*self.shape.extra_keys))
            return out

        return self.shared(key, make)

    @staticmethod
    def callers(principal: Json | str) -> Sequence[Fragment]:
        """The condition fragments a request by ``principal`` can carry."""
        if not isinstance(principal, dict):
            return AWS_CALLER
        if "Service" in principal:
            return SERVICE_CALLER
        federated = principal.get("Federated")
        if isinstance(federated, str):
            if ":saml-provider/" in federated:
                return SAML_CALLER
            return OIDC_CALLER if federated.endswith("/" + GITHUB_HOST) else COMMON
        return AWS_CALLER

    def add_keys(self, acct: Account, condition: Json, fragments: Sequence[Fragment], n: int) -> Json:
        """``condition`` (copied) with up to ``n`` drawn keys it does not already test."""
        block: Json = {op: dict(entries) for op, entries in condition.items()}
        tested = {k.lower() for entries in block.values() for k in entries}
        fresh = []
        for frag in fragments:
            operator, key, value = frag(self, acct)
            if key.lower() not in tested:
                fresh.append((operator, key, value))
        for operator, key, value in self.rng.sample(fresh, min(n, len(fresh))):
            block.setdefault(operator, {})[key] = value
        return block

    # ---- the conditioned kinds, with the shape's key counts and Deny share

    def key_span(self, least: int) -> tuple[int, int]:
        return self.shape.keys

    def role_conditioned_saml(self, acct: Account, used: set[str]) -> Role:
        okta = f"arn:aws:iam::{acct.account_id}:saml-provider/Okta"
        if okta not in acct.saml_providers:
            acct.saml_providers.append(okta)
        return super().role_conditioned_saml(acct, used)

    def role_conditioned_oidc(self, acct: Account, used: set[str]) -> Role:
        github = f"arn:aws:iam::{acct.account_id}:oidc-provider/{GITHUB_HOST}"
        if github not in acct.oidc_providers:
            acct.oidc_providers.append(github)
        return super().role_conditioned_oidc(acct, used)

    # ---- operators, vendors, organization-scoped roles

    def role_same_account_operator(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        mfa = self.chance(self.shape.mfa_share)
        policy_doc = self.shared(("root", a, mfa), lambda: trust(
            {"AWS": f"arn:aws:iam::{a}:root"},
            condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}} if mfa else None))
        team = self.rng.choice(("platform", "data", "payments", "mobile", "web", "sre"))
        admin = self.admin()
        policies = self.admin_policies(admin) or [self.customer_policy(acct, f"{team}-operator", doc(allow(
            ["ec2:*", "ecs:*", "logs:*", "cloudwatch:*"]), allow("s3:*", f"arn:aws:s3:::{acct.name}-{team}*")))]
        return Role(f"{team}-{'admin' if admin else 'operator'}{'-mfa' if mfa else ''}", "/", policy_doc,
                    "same-account-operator", {}, policies, tags=(("team", team),))

    def vendor_condition(self, external_id: str) -> Json | None:
        """An ExternalId condition (the shape's share; one in ten lists a rotated id too), else the vacuous forms
        (the shape's share of the rest), else nothing."""
        if self.chance(self.shape.external_id_share):
            ids: str | list[str] = [external_id, f"{external_id}-v2"] if self.chance(0.1) else external_id
            return {"StringEquals": {"sts:ExternalId": ids}}
        if self.chance(self.shape.vacuous_share):
            return ({"StringLike": {"sts:ExternalId": "*"}} if self.chance(0.5)
                    else {"StringEqualsIfExists": {"sts:ExternalId": external_id}})
        return None

    def role_vendor(self, acct: Account, used: set[str]) -> Role:
        vendor = self.rng.choice(sorted(self.vendor_ids))
        vendor_root = f"arn:aws:iam::{self.vendor_ids[vendor]}:root"
        condition = self.vendor_condition(f"{vendor}-{acct.account_id[-6:]}-{self.ids.hex(8)}")
        policy_doc = (self.shared(("root", vendor_root), lambda: trust({"AWS": vendor_root})) if condition is None
                      else trust({"AWS": vendor_root}, condition=condition))
        inline = {"VendorRead": self.shared(("vendor-read",), lambda: doc(allow(list(ABBREVIATED_READ))))}
        name = "".join(part.capitalize() for part in vendor.split("-"))
        return Role(f"{name}IntegrationRole", "/", policy_doc, "vendor", inline, [], tags=(("vendor", vendor),))

    def pool_size(self) -> int:
        return self.shape.vendor_pool

    def second_vendor(self, i: int) -> int:
        return (i + 1) % self.shape.vendor_pool

    def vendor_admin(self) -> bool:
        return self.chance(self.shape.admin_share / 4)

    def role_org_scoped(self, acct: Account, used: set[str]) -> Role:
        if self.chance(self.shape.org_paths_share):  # a subtree of the organization, as AWS documents the paths
            ou = acct.ou if acct.ou and self.chance(0.5) else None
            path = f"{self.org_id}/{self.root_id}/{self.ou_ids[ou]}/*" if ou else f"{self.org_id}/*"
            policy_doc = self.shared(("org-paths", path), lambda: trust({"AWS": "*"}, condition={
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [path]}}))
        else:
            policy_doc = self.shared(("org",), lambda: trust({"AWS": "*"}, condition={
                "StringEquals": {"aws:PrincipalOrgID": self.org_id}}))
        admin = self.chance(self.shape.admin_share / 4)
        inline: dict[str, Json] = {} if admin else {"SharedRead": self.shared(("shared-read",), lambda: doc(allow(
            ["s3:GetObject", "s3:ListBucket"])))}
        return Role(f"shared-{'admin' if admin else 'read'}-{self.serial()}", "/", policy_doc, "org-scoped", inline,
                    self.admin_policies(admin))

    # ---- chains and hubs

    def role_chained(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        candidates = [r for r in acct.roles if r.kind in ("same-account-operator", "service", "chained",
                                                          "pipeline-stage", "root-trust")
                      and not r.path.startswith("/aws-")]
        if not candidates:
            return self.role_same_account_operator(acct, used)
        source = self.rng.choice(candidates)
        admin = self.admin()
        name = f"{'breakglass-admin' if admin else 'job-runner'}-{self.serial()}"
        self.grant(source, "AssumeNext", self.arn(a, "role", name))
        principal = (f"arn:aws:iam::{a}:root" if self.chance(self.shape.hub_share)
                     else self.arn(a, "role", source.name, source.path))
        inline: dict[str, Json] = {} if admin else {"Jobs": doc(allow(["batch:SubmitJob", "batch:Describe*"]))}
        return Role(name, "/", trust({"AWS": principal}), "chained", inline, self.admin_policies(admin))

    def grant(self, source: Role, name: str, target: str) -> None:
        """Let ``source`` assume ``target`` too, up to the shape's branching (a role lists a few targets)."""
        statement = source.inline.setdefault(name, doc(allow("sts:AssumeRole", [])))["Statement"][0]
        if isinstance(statement["Resource"], list) and len(statement["Resource"]) < self.shape.branching:
            statement["Resource"].append(target)

    def role_root_trust(self, acct: Account, used: set[str]) -> Role:
        other = self.other_account(acct)
        admin = self.admin()
        inline: dict[str, Json] = {} if admin else {"Read": self.shared(("root-trust-read",), lambda: doc(allow(
            ["s3:GetObject", "s3:ListBucket", "dynamodb:Query", "sqs:ReceiveMessage"])))}
        policy_doc = self.shared(("root", other), lambda: trust({"AWS": f"arn:aws:iam::{other}:root"}))
        return Role(f"{'admin' if admin else 'access'}-from-{other[-4:]}", "/", policy_doc, "root-trust", inline,
                    self.admin_policies(admin))

    def role_cross_account_chained(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        if not self.sources:
            return self.role_root_trust(acct, used)
        source_account, source = self.rng.choice(self.sources)
        admin = self.admin()
        name = f"{'xacct-admin' if admin else 'xacct-job'}-{self.serial()}"
        self.grant(source, "AssumeCrossAccount", self.arn(a, "role", name))
        principal = (f"arn:aws:iam::{source_account}:root" if self.chance(self.shape.hub_share)
                     else self.arn(source_account, "role", source.name, source.path))
        inline: dict[str, Json] = {} if admin else {"Jobs": doc(allow(["batch:SubmitJob", "batch:Describe*"]))}
        return Role(name, "/", trust({"AWS": principal}), "cross-account-chained", inline, self.admin_policies(admin))

    # ---- federation

    def pin(self) -> str:
        tightness: str = self.rng.choices(self.pin_kinds, cum_weights=self.pin_cum)[0]
        return tightness

    def github_pin(self, repo: str) -> tuple[str | None, bool]:
        tightness, org = self.pin(), self.gh_org
        if tightness == "exact":
            ref = self.rng.choice(("ref:refs/heads/main", "environment:production", "environment:staging"))
            return f"repo:{org}/{repo}:{ref}", False
        return {"project": (f"repo:{org}/{repo}:*", True), "owner": (f"repo:{org}/*", True),
                "prefix": (f"repo:{org}*", True)}.get(tightness, (None, False))

    def gitlab_pin(self, project: str) -> tuple[str | None, bool]:
        tightness, group = self.pin(), self.gl_group
        if tightness == "exact":
            ref = self.rng.choice(("ref_type:branch:ref:main", "ref_type:tag:ref:v*", "ref_type:branch:ref:release"))
            return f"project_path:{group}/{project}:{ref}", "*" in ref
        return {"project": (f"project_path:{group}/{project}:*", True), "owner": (f"project_path:{group}/*", True),
                "prefix": (f"project_path:{group}*", True)}.get(tightness, (None, False))

    def role_github_oidc(self, acct: Account, used: set[str]) -> Role:
        repo = self.rng.choice(self.repos)
        sub, like = self.github_pin(repo)
        inline = {"Ci": doc(allow(["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:UploadLayerPart",
                                   "s3:PutObject"]))}
        return Role(f"github-{repo}", "/ci/", self.github_trust(acct, sub, like), "github-oidc", inline, [])

    def role_other_oidc(self, acct: Account, used: set[str]) -> Role:
        """A role of one of the shape's OIDC issuers: GitHub, GitLab, HCP Terraform, an EKS cluster's service
        accounts or CircleCI, with a subject pin of the shape's tightness."""
        issuer: str = self.rng.choices(self.issuers, cum_weights=self.issuer_cum)[0]
        if issuer == "github":
            return self.role_github_oidc(acct, used)
        if issuer == "gitlab":
            return self.role_gitlab_oidc(acct, used)
        a = acct.account_id
        tightness = self.pin()
        workload = self.rng.choice(self.repos)
        host, aud, subs = self.issuer_subjects(issuer, acct, workload)
        provider = f"arn:aws:iam::{a}:oidc-provider/{host}"
        if provider not in acct.oidc_providers:
            acct.oidc_providers.append(provider)
        cond: Json = {"StringEquals": {f"{host}:aud": aud}}
        sub = subs[PIN_TIGHTNESS.index(tightness)] if tightness != "none" else None
        if sub is not None:
            operator = "StringLike" if "*" in sub else "StringEquals"
            cond.setdefault(operator, {})[f"{host}:sub"] = sub
        policy_doc = self.shared(("oidc", provider, json.dumps(cond, sort_keys=True)), lambda: trust(
            {"Federated": provider}, "sts:AssumeRoleWithWebIdentity", cond))
        admin = self.admin()
        inline: dict[str, Json] = {} if admin else {"Deploy": doc(allow(["ecs:UpdateService", "lambda:Update*",
                                                                         "s3:PutObject"]))}
        return Role(f"{issuer}-{workload}", "/ci/" if issuer != "eks" else "/eks/", policy_doc, f"{issuer}-oidc",
                    inline, self.admin_policies(admin))

    def issuer_subjects(self, issuer: str, acct: Account, workload: str) -> tuple[str, str, tuple[str, ...]]:
        """(provider host, audience, subject pins from tightest to the bare owner prefix) of an issuer, in the
        formats the issuers document."""
        if issuer == "terraform":
            org = f"tfc-{self.gh_org}"
            return TERRAFORM_HOST, "aws.workload.identity", (
                f"organization:{org}:project:{workload}:workspace:{workload}-prod:run_phase:apply",
                f"organization:{org}:project:{workload}:*", f"organization:{org}:*", f"organization:{org}*")
        if issuer == "eks":
            if acct.account_id not in self.eks_clusters:
                self.eks_clusters[acct.account_id] = self.ids.hex(32).upper()
            cluster = self.eks_clusters[acct.account_id]
            region = EKS_REGIONS[int(acct.account_id) % len(EKS_REGIONS)]
            return f"oidc.eks.{region}.amazonaws.com/id/{cluster}", "sts.amazonaws.com", (
                f"system:serviceaccount:{workload}:{workload}-sa", f"system:serviceaccount:{workload}:*",
                "system:serviceaccount:*", "system:*")
        if self.circleci_org is None:
            self.circleci_org = self.uuid()
        org_id = self.circleci_org
        project = self.uuid()
        return f"oidc.circleci.com/org/{org_id}", org_id, (
            f"org/{org_id}/project/{project}/user/*", f"org/{org_id}/project/{project}/*", f"org/{org_id}/*",
            f"org/{org_id}*")

    def uuid(self) -> str:
        h = self.ids.hex(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def saml_idp(self, acct: Account) -> str:
        """The account's outside SAML identity provider (registered on first use)."""
        for arn in acct.saml_providers:
            if arn.rsplit("/", 1)[1] in SAML_IDPS:
                return arn
        arn = f"arn:aws:iam::{acct.account_id}:saml-provider/{self.rng.choice(SAML_IDPS)}"
        acct.saml_providers.append(arn)
        return arn

    def role_saml_federated(self, acct: Account, used: set[str]) -> Role:
        idp = self.saml_idp(acct)
        tag = self.chance(0.3)
        actions: str | list[str] = ["sts:AssumeRoleWithSAML", "sts:TagSession"] if tag else "sts:AssumeRoleWithSAML"
        policy_doc = self.shared(("saml", idp, tag), lambda: trust(
            {"Federated": idp}, actions, {"StringEquals": {"SAML:aud": SSO_AUDIENCE}}))
        admin = self.admin()
        team = self.rng.choice(("platform", "data", "payments", "mobile", "web", "sre"))
        inline: dict[str, Any] = {} if admin else {"Team": doc(allow(["ec2:Describe*", "logs:Get*", "s3:List*"]))}
        return Role(f"{idp.rsplit('/', 1)[1]}-{team}-{'admin' if admin else 'user'}", "/federated/", policy_doc,
                    "saml-federated", inline, self.admin_policies(admin))

    # ---- users and groups

    def people(self, acct: Account, index: int) -> None:
        super().people(acct, index)
        a = acct.account_id
        n = self.rng.randint(*self.shape.users)
        if not n:
            return
        may_assume = self.chance(self.shape.user_assume_share)
        group = "Developers"
        inline: dict[str, Json] = {"DeveloperRead": doc(allow(["ec2:Describe*", "logs:Get*", "s3:List*"]))}
        if may_assume:
            targets = [self.arn(a, "role", r.name, r.path) for r in acct.roles
                       if not r.path.startswith("/aws-")][:5] or ["*"]
            target: str | list[str] = self.rng.choice((targets, "arn:aws:iam::*:role/*", f"arn:aws:iam::{a}:role/*"))
            mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if self.chance(self.shape.mfa_share) else None
            inline["AssumeRoles"] = doc(allow("sts:AssumeRole", target, mfa))
        acct.groups.append({
            "Path": "/", "GroupName": group, "GroupId": self.ids.unique("AGPA"), "Arn": self.arn(a, "group", group),
            "CreateDate": self.ids.stamp(),
            "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
            "AttachedManagedPolicies": [],
        })
        for k in range(n):
            name = f"dev-{k:03d}"
            acct.users.append({
                "Path": "/", "UserName": name, "UserId": self.ids.unique("AIDA"), "Arn": self.arn(a, "user", name),
                "CreateDate": self.ids.stamp(), "UserPolicyList": [], "GroupList": [group],
                "AttachedManagedPolicies": [], "Tags": [],
            })
