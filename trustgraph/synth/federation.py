"""The ``federation-heavy`` profile: Identity Center, GitHub Actions and GitLab OIDC in every account, and many
administrator roles reachable through them.

Every account gets every Identity Center permission set (an ``AWSReservedSSO_AdministratorAccess_...`` role among
them), a GitHub and a GitLab OIDC provider, and a deployment role with ``AdministratorAccess`` behind each provider;
the drawn roles are mostly CI roles of both providers (with the usual spread of subject pins, some too wide), CI roles
that are administrators, custom permission sets, and roles chained behind CI roles. The issue's organization of
20 accounts x 100 roles, which the ``mix`` bench did not predict, had this shape.
"""

from __future__ import annotations

from typing import Any

from trustgraph.synth.catalog import GITHUB_HOST, GITLAB_HOST, PERMISSION_SETS, SSO_AUDIENCE
from trustgraph.synth.documents import Json, allow, doc, trust
from trustgraph.synth.mix import MixBuilder
from trustgraph.synth.shapes import Account, Role

FEDERATION_MIX: tuple[tuple[str, float], ...] = (
    ("github-oidc", 0.16),
    ("gitlab-oidc", 0.12),
    ("federated-admin", 0.08),
    ("ci-chained", 0.08),
    ("identity-center-custom", 0.06),
    ("service", 0.22),
    ("service-linked", 0.08),
    ("cross-account-tooling", 0.08),
    ("same-account-operator", 0.05),
    ("vendor", 0.04),
    ("org-scoped", 0.03),
)
"""Kinds of the drawn roles of ``federation-heavy`` and their shares."""

CUSTOM_SETS = ("PlatformAdmin", "NetworkAdmin", "DatabaseAdmin", "DeveloperAccess", "IncidentResponder",
               "DataEngineer", "SupportEngineer", "FinOpsAnalyst")
GITLAB_AUDIENCE = "https://gitlab.com"


class FederationBuilder(MixBuilder):
    """Draws the ``federation-heavy`` organization."""

    role_mix = FEDERATION_MIX

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        self.gl_group = f"group{seed % 1000:03d}"

    def permission_sets(self) -> tuple[str, ...]:
        """Every usual permission set is provisioned in every account."""
        return PERMISSION_SETS

    def providers(self, acct: Account) -> tuple[str, str]:
        """The account's GitHub and GitLab OIDC providers (registered on first use)."""
        a = acct.account_id
        github = f"arn:aws:iam::{a}:oidc-provider/{GITHUB_HOST}"
        gitlab = f"arn:aws:iam::{a}:oidc-provider/{GITLAB_HOST}"
        for arn in (github, gitlab):
            if arn not in acct.oidc_providers:
                acct.oidc_providers.append(arn)
        return github, gitlab

    def extra_baseline(self, acct: Account, index: int) -> None:
        github, gitlab = self.providers(acct)
        admin = [self.aws_policy("AdministratorAccess")]
        acct.roles.append(Role("github-deploy-admin", "/ci/", self.github_trust(
            acct, f"repo:{self.gh_org}/infrastructure:environment:production"), "federated-admin", {}, admin))
        acct.roles.append(Role("gitlab-deploy-admin", "/ci/", self.gitlab_trust(
            acct, f"project_path:{self.gl_group}/platform:ref_type:branch:ref:main"), "federated-admin", {}, admin))

    # ---- trust documents

    def github_trust(self, acct: Account, sub: str | None, like: bool = False) -> Json:
        github, _ = self.providers(acct)
        aud = {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}
        cond: Json = {"StringEquals": aud} if sub is None else (
            {"StringEquals": aud, "StringLike": {f"{GITHUB_HOST}:sub": sub}} if like
            else {"StringEquals": {**aud, f"{GITHUB_HOST}:sub": sub}})
        return self.shared(("gh", acct.account_id, sub, like), lambda: trust(
            {"Federated": github}, "sts:AssumeRoleWithWebIdentity", cond))

    def gitlab_trust(self, acct: Account, sub: str | None, like: bool = False) -> Json:
        _, gitlab = self.providers(acct)
        aud = {f"{GITLAB_HOST}:aud": GITLAB_AUDIENCE}
        cond: Json = {"StringEquals": aud} if sub is None else (
            {"StringEquals": aud, "StringLike": {f"{GITLAB_HOST}:sub": sub}} if like
            else {"StringEquals": {**aud, f"{GITLAB_HOST}:sub": sub}})
        return self.shared(("gl", acct.account_id, sub, like), lambda: trust(
            {"Federated": gitlab}, "sts:AssumeRoleWithWebIdentity", cond))

    def gitlab_pin(self, project: str) -> tuple[str | None, bool]:
        """A subject pin as GitLab users write them: mostly a project and branch, sometimes too wide."""
        draw = self.rng.random()
        group = self.gl_group
        if draw < 0.60:
            ref = self.rng.choice(("ref_type:branch:ref:main", "ref_type:tag:ref:v*", "ref_type:branch:ref:release"))
            return f"project_path:{group}/{project}:{ref}", "*" in ref
        if draw < 0.80:
            return f"project_path:{group}/{project}:*", True
        if draw < 0.90:
            return f"project_path:{group}/*", True
        if draw < 0.95:
            return f"project_path:{group}*", True  # the prefix without the slash: other groups too
        return None, False

    def github_pin(self, repo: str) -> tuple[str | None, bool]:
        """A GitHub subject pin (the shares of the ``mix`` profile's GitHub roles)."""
        draw = self.rng.random()
        if draw < 0.70:
            ref = self.rng.choice(("ref:refs/heads/main", "environment:production", "environment:staging"))
            return f"repo:{self.gh_org}/{repo}:{ref}", False
        if draw < 0.85:
            return f"repo:{self.gh_org}/{repo}:*", True
        if draw < 0.90:
            return f"repo:{self.gh_org}/*", True
        if draw < 0.95:
            return f"repo:{self.gh_org}*", True
        return None, False

    # ---- drawn roles

    def role_gitlab_oidc(self, acct: Account, used: set[str]) -> Role:
        project = self.rng.choice(self.repos)
        sub, like = self.gitlab_pin(project)
        inline = {"Ci": doc(allow(["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:UploadLayerPart",
                                   "s3:PutObject"]))}
        return Role(f"gitlab-{project}", "/ci/", self.gitlab_trust(acct, sub, like), "gitlab-oidc", inline, [])

    def role_federated_admin(self, acct: Account, used: set[str]) -> Role:
        repo = self.rng.choice(self.repos)
        if self.rng.random() < 0.5:
            sub, like = self.github_pin(repo)
            policy_doc, host = self.github_trust(acct, sub, like), "github"
        else:
            sub, like = self.gitlab_pin(repo)
            policy_doc, host = self.gitlab_trust(acct, sub, like), "gitlab"
        return Role(f"{host}-{repo}-admin", "/ci/", policy_doc, "federated-admin", {},
                    [self.aws_policy("AdministratorAccess")])

    def role_ci_chained(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        sources = [r for r in acct.roles if r.kind in ("github-oidc", "gitlab-oidc", "federated-admin")]
        if not sources:
            return self.role_gitlab_oidc(acct, used)
        source = self.rng.choice(sources)
        admin = self.rng.random() < 0.6
        name = f"{'deploy-admin' if admin else 'deploy'}-{self.serial()}"
        source.inline.setdefault("AssumeNext", doc(allow("sts:AssumeRole", self.arn(a, "role", name))))
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Json] = {} if admin else {"Deploy": doc(allow(["ecs:UpdateService", "lambda:Update*"]))}
        return Role(name, "/", trust({"AWS": self.arn(a, "role", source.name, source.path)}), "ci-chained", inline,
                    managed)

    def role_identity_center_custom(self, acct: Account, used: set[str]) -> Role:
        sso = acct.saml_providers[0]
        pset = self.rng.choice(CUSTOM_SETS)
        policy_doc = self.shared(("sso", sso), lambda: trust(
            {"Federated": sso}, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            {"StringEquals": {"SAML:aud": SSO_AUDIENCE}}))
        admin = pset.endswith("Admin")
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Any] = {} if admin else {"AwsSSOInlinePolicy": doc(allow(["ec2:Describe*", "logs:Get*"]))}
        return Role(f"AWSReservedSSO_{pset}_{self.ids.hex(16)}", "/aws-reserved/sso.amazonaws.com/", policy_doc,
                    "identity-center", inline, managed, max_session=43200)
