"""The ``mix`` profile: the role kinds of :data:`trustgraph.synth.catalog.ROLE_MIX`, one ``role_<kind>`` method
each (the reasoning behind the shares is in :mod:`trustgraph.synth`). The other profiles inherit these makers and
draw them with other weights."""

from __future__ import annotations

from typing import Any

from trustgraph.synth.catalog import GITHUB_HOST, SERVICE_LINKED, SERVICES, VENDORS
from trustgraph.synth.core import BuilderCore
from trustgraph.synth.documents import ABBREVIATED_READ, Json, allow, doc, trust
from trustgraph.synth.shapes import Account, Role


class MixBuilder(BuilderCore):
    """Draws the ``mix`` organization (the default profile)."""

    def role_service(self, acct: Account, used: set[str]) -> Role:
        principal, stem, _, managed, profile = SERVICES[self.rng.choices(range(len(SERVICES)),
                                                                          cum_weights=self.svc_cum)[0]]
        policy_doc = self.shared(("svc", principal), lambda: trust({"Service": principal}))
        app = self.rng.choice(("orders", "billing", "search", "ingest", "reports", "auth", "catalog", "etl"))
        policies = [self.customer_policy(acct, f"{app}-app-access", doc(allow(
            ["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{acct.name}-{app}/*"),
            allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                   f"arn:aws:dynamodb:*:{acct.account_id}:table/{app}-*")))]
        if managed:
            policies.append(self.aws_policy(managed))
        path = "/service-role/" if stem in ("Lambda", "StepFunctions", "CodeBuild") else "/"
        return Role(f"{app}-{stem}Role-{self.serial()}", path, policy_doc, "service", {}, policies, profile=profile)

    def role_service_linked(self, acct: Account, used: set[str]) -> Role:
        free = [s for s in SERVICE_LINKED if s[1] not in used]
        if not free:
            return self.role_service(acct, used)
        return self.slr(*self.rng.choice(free))

    def role_cross_account_tooling(self, acct: Account, used: set[str]) -> Role:
        purpose = self.rng.choice(("Monitoring", "Backup", "LogShipping", "Inventory"))
        if purpose == "Inventory":  # the security account's scanner role, named directly
            policy_doc = self.shared(("role", self.security, "SecurityScannerRole"), lambda: trust(
                {"AWS": self.arn(self.security, "role", "SecurityScannerRole")}))
        else:  # a central account, delegated to its administrators through its root
            central = self.security if purpose == "LogShipping" else self.tooling
            policy_doc = self.shared(("root", central), lambda: trust({"AWS": f"arn:aws:iam::{central}:root"}))
        inline = {"Read": self.shared(("tooling", purpose), lambda: doc(allow(
            ["cloudwatch:GetMetricData", "logs:FilterLogEvents", "backup:List*", "ec2:Describe*"])))}
        return Role(f"{purpose}ReadRole", "/", policy_doc, "cross-account-tooling", inline, [])

    def role_same_account_operator(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        mfa = self.rng.random() < 0.25
        policy_doc = self.shared(("root", a, mfa), lambda: trust(
            {"AWS": f"arn:aws:iam::{a}:root"},
            condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}} if mfa else None))
        team = self.rng.choice(("platform", "data", "payments", "mobile", "web", "sre"))
        policy = self.customer_policy(acct, f"{team}-operator", doc(allow(
            ["ec2:*", "ecs:*", "logs:*", "cloudwatch:*"]), allow("s3:*", f"arn:aws:s3:::{acct.name}-{team}*")))
        return Role(f"{team}-operator{'-mfa' if mfa else ''}", "/", policy_doc, "same-account-operator", {}, [policy],
                     tags=(("team", team),))

    def role_vendor(self, acct: Account, used: set[str]) -> Role:
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
            policy_doc = self.shared(("root", vendor_root), lambda: trust({"AWS": vendor_root}))
        else:
            policy_doc = trust({"AWS": vendor_root}, condition=condition)
        inline = {"VendorRead": self.shared(("vendor-read",), lambda: doc(allow(list(ABBREVIATED_READ))))}
        name = "".join(part.capitalize() for part in vendor.split("-"))
        return Role(f"{name}IntegrationRole", "/", policy_doc, "vendor", inline, [], tags=(("vendor", vendor),))

    def role_github_oidc(self, acct: Account, used: set[str]) -> Role:
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
        policy_doc = self.shared(key, lambda: trust({"Federated": provider}, "sts:AssumeRoleWithWebIdentity", cond))
        inline = {"Ci": doc(allow(["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:UploadLayerPart",
                                     "s3:PutObject"]))}
        return Role(f"github-{repo}", "/ci/", policy_doc, "github-oidc", inline, [])

    def role_chained(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        candidates = [r for r in acct.roles if r.kind in ("same-account-operator", "service", "chained")
                      and not r.path.startswith("/aws-")]
        if not candidates:
            return self.role_same_account_operator(acct, used)
        source = self.rng.choice(candidates)
        source_arn = self.arn(a, "role", source.name, source.path)
        admin = self.rng.random() < 0.5
        name = f"{'breakglass-admin' if admin else 'job-runner'}-{self.serial()}"
        source.inline.setdefault("AssumeNext", doc(allow("sts:AssumeRole", self.arn(a, "role", name))))
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline = {} if admin else {"Jobs": doc(allow(["batch:SubmitJob", "batch:Describe*"]))}
        return Role(name, "/", trust({"AWS": source_arn}), "chained", inline, managed)

    def role_org_scoped(self, acct: Account, used: set[str]) -> Role:
        policy_doc = self.shared(("org",), lambda: trust({"AWS": "*"}, condition={
            "StringEquals": {"aws:PrincipalOrgID": self.org_id}}))
        return Role(f"shared-read-{self.serial()}", "/", policy_doc, "org-scoped", {"SharedRead": self.shared(
            ("shared-read",), lambda: doc(allow(["s3:GetObject", "s3:ListBucket"])))}, [])

    def role_cross_service(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        service = self.rng.choice(("config.amazonaws.com", "sns.amazonaws.com"))
        guarded = self.rng.random() < 0.6
        policy_doc = self.shared(("xsvc", service, a if guarded else None), lambda: trust(
            {"Service": service}, condition={"StringEquals": {"aws:SourceAccount": a}} if guarded else None))
        stem = "ConfigDelivery" if service.startswith("config") else "SnsDeliveryStatus"
        inline = {"Deliver": doc(allow(["s3:PutObject", "logs:CreateLogStream", "logs:PutLogEvents"]))}
        return Role(f"{stem}Role", "/service-role/", policy_doc, "cross-service", inline, [])

    def role_public(self, acct: Account, used: set[str]) -> Role:
        policy_doc = self.shared(("public",), lambda: trust({"AWS": "*"}))
        return Role(f"public-debug-{self.serial()}", "/", policy_doc, "public", {"Logs": doc(allow(
            ["logs:GetLogEvents", "logs:FilterLogEvents"]))}, [])
