"""The ``condition-heavy`` profile: trust statements with many condition keys each, in every operator family.

The drawn roles' trust statements combine 4 to 8 keys chosen from the keys IAM sets on an assume-role request of that
kind of caller (an AWS principal, a SAML or OIDC federated user, a vendor): string, ARN, Boolean, numeric, date and IP
operators, their ``...IfExists`` forms, ``Null``, and the set operators ``ForAnyValue:`` / ``ForAllValues:`` on
multi-valued keys; a fifth of them add a Deny statement (outside the corporate networks, or without TLS). Keys are
distinct within a statement, so most statements can be met; some cannot (an ``IpAddress`` and a ``NotIpAddress`` on
ranges that do not meet, for instance, would need the same key twice and are not drawn), and the vacuous forms appear
as they do in real policies (``IfExists`` on a key the caller may omit, ``ForAllValues`` on a key that may be absent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trustgraph.synth.catalog import GITHUB_HOST, SSO_AUDIENCE
from trustgraph.synth.documents import Json, allow, doc
from trustgraph.synth.mix import MixBuilder
from trustgraph.synth.shapes import Account, Role

CONDITION_MIX: tuple[tuple[str, float], ...] = (
    ("conditioned-operator", 0.22),
    ("conditioned-saml", 0.10),
    ("conditioned-oidc", 0.08),
    ("conditioned-vendor", 0.08),
    ("service", 0.25),
    ("service-linked", 0.08),
    ("cross-account-tooling", 0.07),
    ("same-account-operator", 0.05),
    ("org-scoped", 0.04),
    ("chained", 0.03),
)
"""Kinds of the drawn roles of ``condition-heavy`` and their shares."""

MIN_KEYS, MAX_KEYS = 4, 8
TEMPLATES = 24
"""Distinct condition blocks per kind of caller before blocks are reused: teams copy guarded trust policies from a
few templates, as real estates show (and as the solver's cache is built for); one in five roles still gets a block of
its own."""
NETWORKS = ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/25", "10.20.0.0/16")
TEAMS = ("platform", "data", "payments", "mobile", "web", "sre")

#: (operator, key, value) given the builder and the account: one condition entry
Fragment = Callable[["ConditionBuilder", Account], tuple[str, str, object]]


def _frag(operator: str, key: str, value: Callable[[ConditionBuilder, Account], object]) -> Fragment:
    return lambda b, acct: (operator, key, value(b, acct))


COMMON: tuple[Fragment, ...] = (
    _frag("IpAddress", "aws:SourceIp", lambda b, a: b.rng.sample(NETWORKS, 2)),
    _frag("DateGreaterThan", "aws:CurrentTime", lambda b, a: f"{2023 + b.rng.randrange(3)}-01-01T00:00:00Z"),
    _frag("DateLessThanEquals", "aws:EpochTime", lambda b, a: "1924992000"),
    _frag("Bool", "aws:SecureTransport", lambda b, a: "true"),
    _frag("StringEquals", "aws:RequestedRegion", lambda b, a: b.rng.choice(("us-east-1", "eu-west-1"))),
    _frag("ForAllValues:StringEquals", "aws:TagKeys", lambda b, a: ["team", "project", "cost-center"]),
    _frag("StringLikeIfExists", "aws:RequestTag/project", lambda b, a: "proj-*"),
    _frag("StringNotLikeIfExists", "aws:UserAgent", lambda b, a: "*curl*"),
)
"""Keys set on any assume-role request."""

AWS_CALLER: tuple[Fragment, ...] = COMMON + (
    _frag("StringEquals", "aws:PrincipalOrgID", lambda b, a: b.org_id),
    _frag("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", lambda b, a: [f"{b.org_id}/{b.root_id}/*"]),
    _frag("StringEquals", "aws:PrincipalTag/team", lambda b, a: b.rng.choice(TEAMS)),
    _frag("StringEqualsIfExists", "aws:PrincipalTag/clearance", lambda b, a: "high"),
    _frag("Bool", "aws:MultiFactorAuthPresent", lambda b, a: "true"),
    _frag("NumericLessThan", "aws:MultiFactorAuthAge", lambda b, a: str(900 * (1 + b.rng.randrange(4)))),
    _frag("Null", "aws:TokenIssueTime", lambda b, a: "false"),
    _frag("ArnLike", "aws:PrincipalArn", lambda b, a: "arn:aws:iam::*:role/ops-*"),
    _frag("StringEquals", "aws:PrincipalType", lambda b, a: "AssumedRole"),
    _frag("StringLike", "sts:RoleSessionName", lambda b, a: "ops-*"),
    _frag("ForAnyValue:StringEquals", "sts:TransitiveTagKeys", lambda b, a: ["team"]),
    _frag("NumericLessThanEquals", "sts:DurationSeconds", lambda b, a: "3600"),
)
"""Keys of a request by an IAM user or role session."""

SAML_CALLER: tuple[Fragment, ...] = COMMON + (
    _frag("StringLike", "saml:sub", lambda b, a: "*@example.com"),
    _frag("StringEquals", "saml:sub_type", lambda b, a: "persistent"),
    _frag("ForAnyValue:StringEquals", "saml:edupersonaffiliation", lambda b, a: ["staff", "employee"]),
    _frag("StringEquals", "saml:iss", lambda b, a: "http://www.okta.com/exk1example"),
    _frag("Null", "saml:namequalifier", lambda b, a: "false"),
)
"""Keys of an ``AssumeRoleWithSAML`` request (besides ``SAML:aud``, always present)."""

OIDC_CALLER: tuple[Fragment, ...] = COMMON + (
    _frag("StringEquals", f"{GITHUB_HOST}:repository", lambda b, a: f"{b.gh_org}/{b.rng.choice(b.repos)}"),
    _frag("StringLike", f"{GITHUB_HOST}:ref", lambda b, a: "refs/heads/*"),
    _frag("StringEqualsIfExists", f"{GITHUB_HOST}:environment", lambda b, a: "production"),
    _frag("StringLike", f"{GITHUB_HOST}:job_workflow_ref",
          lambda b, a: f"{b.gh_org}/workflows/.github/workflows/deploy.yml@*"),
    _frag("StringEquals", f"{GITHUB_HOST}:actor", lambda b, a: "release-bot"),
)
"""Keys of an ``AssumeRoleWithWebIdentity`` request from GitHub Actions (besides ``aud`` and ``sub``)."""


class ConditionBuilder(MixBuilder):
    """Draws the ``condition-heavy`` organization."""

    role_mix = CONDITION_MIX
    deny_share: float = 0.2
    """Share of conditioned trusts that add a Deny statement (the ``random`` profile draws its own)."""

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        self.templates: dict[str, list[Json]] = {}

    def template(self, caller: str, make: Callable[[], Json]) -> Json:
        """A condition block for ``caller``: one of the templates (after the first :data:`TEMPLATES`, four times in
        five) or a new one."""
        pool = self.templates.setdefault(caller, [])
        if len(pool) >= TEMPLATES and self.rng.random() < 0.8:
            return pool[self.rng.randrange(len(pool))]
        block = make()
        if len(pool) < TEMPLATES:
            pool.append(block)
        return block

    def extra_baseline(self, acct: Account, index: int) -> None:
        a = acct.account_id
        acct.saml_providers.append(f"arn:aws:iam::{a}:saml-provider/Okta")
        github = f"arn:aws:iam::{a}:oidc-provider/{GITHUB_HOST}"
        if github not in acct.oidc_providers:
            acct.oidc_providers.append(github)

    def key_span(self, least: int) -> tuple[int, int]:
        """The least and most keys of a drawn condition block (``least`` to :data:`MAX_KEYS`; the ``random``
        profile takes its shape's span instead)."""
        return least, MAX_KEYS

    def condition(self, acct: Account, fragments: Sequence[Fragment], fixed: Json | None = None,
                  least: int = MIN_KEYS) -> Json:
        """A condition block of ``fixed`` plus enough drawn fragments (distinct keys) for :meth:`key_span` keys in
        all."""
        block: Json = {op: dict(entries) for op, entries in (fixed or {}).items()}
        have = sum(len(entries) for entries in block.values())
        want = self.rng.randint(*self.key_span(least)) - have
        for frag in self.rng.sample(list(fragments), max(0, min(want, len(fragments)))):
            operator, key, value = frag(self, acct)
            block.setdefault(operator, {})[key] = value
        return block

    def statements(self, acct: Account, principal: Json, action: str | list[str], condition: Json) -> Json:
        allow_st: Json = {"Effect": "Allow", "Principal": principal, "Action": action, "Condition": condition}
        if self.rng.random() >= self.deny_share:
            return doc(allow_st)
        deny_condition: Json = (
            {"NotIpAddress": {"aws:SourceIp": list(NETWORKS)}} if self.rng.random() < 0.5
            else {"Bool": {"aws:SecureTransport": "false"}})
        return doc(allow_st, {"Effect": "Deny", "Principal": principal, "Action": action, "Condition": deny_condition})

    # ---- drawn roles

    def role_conditioned_operator(self, acct: Account, used: set[str]) -> Role:
        others = [x for x in self.account_ids if x != acct.account_id]
        owner = self.rng.choice(others) if others and self.rng.random() < 0.4 else acct.account_id
        cond = self.template("aws", lambda: self.condition(acct, AWS_CALLER))
        team = self.rng.choice(TEAMS)
        policy = self.customer_policy(acct, f"{team}-guarded-operator", doc(allow(["ec2:*", "ecs:*", "logs:*"])))
        return Role(f"{team}-guarded-{self.serial()}", "/", self.statements(
            acct, {"AWS": f"arn:aws:iam::{owner}:root"}, ["sts:AssumeRole", "sts:TagSession"], cond),
            "conditioned-operator", {}, [policy], tags=(("team", team),))

    def role_conditioned_saml(self, acct: Account, used: set[str]) -> Role:
        okta = next(p for p in acct.saml_providers if p.endswith("/Okta"))
        cond = self.template("saml", lambda: self.condition(acct, SAML_CALLER,
                                                            {"StringEquals": {"SAML:aud": SSO_AUDIENCE}}))
        admin = self.rng.random() < 0.3
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Json] = {} if admin else {"Read": doc(allow(["ec2:Describe*", "s3:List*"]))}
        return Role(f"okta-{'admin' if admin else 'user'}-{self.serial()}", "/federated/", self.statements(
            acct, {"Federated": okta}, "sts:AssumeRoleWithSAML", cond), "conditioned-saml", inline, managed)

    def role_conditioned_oidc(self, acct: Account, used: set[str]) -> Role:
        github = f"arn:aws:iam::{acct.account_id}:oidc-provider/{GITHUB_HOST}"
        repo = self.rng.choice(self.repos)
        cond = self.template("oidc", lambda: self.condition(acct, OIDC_CALLER, {
            "StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/{repo}:*"}}))
        inline = {"Ci": doc(allow(["ecr:PutImage", "s3:PutObject"]))}
        return Role(f"github-guarded-{self.serial()}", "/ci/", self.statements(
            acct, {"Federated": github}, "sts:AssumeRoleWithWebIdentity", cond), "conditioned-oidc", inline, [])

    def role_conditioned_vendor(self, acct: Account, used: set[str]) -> Role:
        vendor = self.rng.choice(sorted(self.vendor_ids))
        vid = self.vendor_ids[vendor]
        fixed: Json = {"StringEquals": {"sts:ExternalId": f"{vendor}-{acct.account_id[-6:]}-{self.ids.hex(8)}"}}
        cond = self.condition(acct, COMMON + (
            _frag("ArnLike", "aws:PrincipalArn", lambda b, a: f"arn:aws:iam::{vid}:role/*"),
            _frag("StringEquals", "aws:PrincipalAccount", lambda b, a: vid)), fixed)
        inline = {"VendorRead": doc(allow(["ec2:Describe*", "cloudwatch:GetMetricData"]))}
        name = "".join(part.capitalize() for part in vendor.split("-"))
        return Role(f"{name}GuardedRole", "/", self.statements(
            acct, {"AWS": f"arn:aws:iam::{vid}:root"}, "sts:AssumeRole", cond), "conditioned-vendor", inline, [],
            tags=(("vendor", vendor),))
