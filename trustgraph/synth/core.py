"""The organization every profile starts from: accounts, OUs, the landing-zone baseline of roles, users and groups.

:class:`BuilderCore` draws the accounts one after the other; for each it writes the baseline (what AWS and a landing
zone put in every account), then draws the remaining roles from the profile's role mix (``role_<kind>`` methods of
the subclasses), then the users and groups. Every draw comes from one ``random.Random(seed)`` in a fixed order, so a
profile's output is a function of its arguments. Subclasses add to the baseline through :meth:`extra_baseline` and
choose the Identity Center permission sets through :meth:`permission_sets`; neither draws anything in the ``mix``
profile, whose output must stay byte for byte what it always was.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from trustgraph.synth.catalog import GITHUB_HOST, OUS, PERMISSION_SETS, ROLE_MIX, SERVICES, SSO_AUDIENCE, VENDORS
from trustgraph.synth.documents import ABBREVIATED_READ, AWS_MANAGED_DOCS, Json, allow, doc, trust
from trustgraph.synth.ids import Ids
from trustgraph.synth.shapes import Account, Role


def cumulative(weights: Iterable[float]) -> list[float]:
    """Running totals of ``weights`` (for ``random.choices(cum_weights=...)``)."""
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class BuilderCore:
    """Draws an organization; one instance per :func:`trustgraph.synth.synthesize` call.

    Subclasses provide a ``role_<kind>`` method for every kind of :attr:`role_mix` (``-`` becomes ``_``).
    """

    role_mix: ClassVar[tuple[tuple[str, float], ...]] = ROLE_MIX

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng, seed)
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
        kinds, weights = zip(*self.role_mix, strict=True)
        self.kinds: tuple[str, ...] = kinds
        self.cum_weights = cumulative(weights)
        svc_weights = [s[2] for s in SERVICES]
        self.svc_cum = cumulative(svc_weights)
        self.kind_counts: dict[str, int] = {}

    # ---- shared trust documents (identical objects are reused, as identical documents recur in real estates)

    def shared(self, key: tuple[Any, ...], make: Callable[[], Json]) -> Json:
        found = self._trust_cache.get(key)
        if found is None:
            found = self._trust_cache[key] = make()
        return found

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

    def build(self) -> list[Account]:
        out = []
        for i, account in enumerate(self.account_ids):
            ou = self.ou_of(i)
            name = "management" if i == 0 else ("tooling" if account == self.tooling else
                                                ("security" if account == self.security else
                                                 f"{(ou or 'x').lower().replace('workloads-', '')}-{i:03d}"))
            acct = Account(account, name, ou, [], [], [], {}, [], [])
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

    def baseline(self, acct: Account, index: int) -> None:
        a = acct.account_id
        roles = acct.roles
        sso = f"arn:aws:iam::{a}:saml-provider/AWSSSO_{self.ids.hex(16)}_DO_NOT_DELETE"
        acct.saml_providers.append(sso)
        gh = f"arn:aws:iam::{self.tooling}:oidc-provider/{GITHUB_HOST}"
        if a == self.tooling:
            acct.oidc_providers.append(gh)
            roles.append(Role("GitHubDeployPipelineRole", "/", self.shared(("gh", "infra"), lambda: trust(
                {"Federated": gh}, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {
                    f"{GITHUB_HOST}:aud": "sts.amazonaws.com",
                    f"{GITHUB_HOST}:sub": f"repo:{self.gh_org}/infrastructure:ref:refs/heads/main"}})),
                "github-oidc", {"AssumeDeploymentRoles": self.shared(("assume", "DeploymentRole"), lambda: doc(
                    allow("sts:AssumeRole", "arn:aws:iam::*:role/DeploymentRole")))}, []))
        if a == self.security:
            roles.append(Role("SecurityScannerRole", "/", self.shared(("svc", "lambda.amazonaws.com"), lambda: trust(
                {"Service": "lambda.amazonaws.com"})), "service", {"AssumeAuditRoles": self.shared(
                    ("assume", "SecurityAuditRole"), lambda: doc(
                        allow("sts:AssumeRole", "arn:aws:iam::*:role/SecurityAuditRole")))},
                [self.aws_policy("AWSLambdaBasicExecutionRole")]))
        if index > 0:
            roles.append(Role("OrganizationAccountAccessRole", "/", self.shared(
                ("root", self.mgmt), lambda: trust({"AWS": f"arn:aws:iam::{self.mgmt}:root"})),
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
        sets = self.permission_sets()
        sso_trust = trust({"Federated": sso}, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                          {"StringEquals": {"SAML:aud": SSO_AUDIENCE}})
        for pset in sets:
            managed = [self.aws_policy("AdministratorAccess")] if pset == "AdministratorAccess" else []
            inline = {} if managed else {"AwsSSOInlinePolicy": doc(allow(list(ABBREVIATED_READ)))}
            roles.append(Role(f"AWSReservedSSO_{pset}_{self.ids.hex(16)}", "/aws-reserved/sso.amazonaws.com/",
                               sso_trust, "identity-center", inline, managed, max_session=43200))
        if index > 0 and a != self.tooling:
            roles.append(Role("DeploymentRole", "/", self.shared(("role", self.tooling, "GitHubDeployPipelineRole"),
                               lambda: trust({"AWS": self.arn(self.tooling, "role", "GitHubDeployPipelineRole")})),
                               "cross-account-tooling", {"AssumeTerraform": doc(allow(
                                   "sts:AssumeRole", self.arn(a, "role", "TerraformApplyRole")))},
                               [self.customer_policy(acct, "DeploymentAccess", doc(allow(
                                   ["ecs:UpdateService", "ecs:Describe*", "ecr:*", "cloudformation:*"])))]))
            if self.rng.random() < 0.5:
                roles.append(Role("TerraformApplyRole", "/", trust({"AWS": self.arn(a, "role", "DeploymentRole")}),
                                   "chained", {}, [self.aws_policy("AdministratorAccess")]))
        if index > 0 and a != self.security:
            roles.append(Role("SecurityAuditRole", "/", self.shared(("role", self.security, "SecurityScannerRole"),
                               lambda: trust({"AWS": self.arn(self.security, "role", "SecurityScannerRole")})),
                               "cross-account-tooling", {"Audit": self.shared(("audit",), lambda: doc(allow(
                                   ["iam:Get*", "iam:List*", "ec2:Describe*", "s3:GetBucketPolicy",
                                    "config:Describe*"])))}, []))
        self.extra_baseline(acct, index)

    def shape_line(self) -> str | None:
        """One line describing a drawn shape (profiles whose shape comes from the seed), else None."""
        return None

    def permission_sets(self) -> tuple[str, ...]:
        """The Identity Center permission sets provisioned in an account (3 to 5 of the usual ones)."""
        return PERMISSION_SETS[: 3 + self.rng.randrange(3)]

    def extra_baseline(self, acct: Account, index: int) -> None:
        """Roles a profile adds to every account's baseline (none in ``mix``; must not draw there)."""

    def slr(self, principal: str, name: str, policy: str) -> Role:
        policy_doc = self.shared(("slr", principal), lambda: doc(
            {"Effect": "Allow", "Principal": {"Service": [principal]}, "Action": ["sts:AssumeRole"]}))
        return Role(name, f"/aws-service-role/{principal}/", policy_doc, "service-linked", {},
                     [self.aws_policy(policy, slr=True)])

    def aws_policy(self, name: str, slr: bool = False) -> str:
        if slr:
            return f"arn:aws:iam::aws:policy/aws-service-role/{name}"
        path = AWS_MANAGED_DOCS[name][0]
        return f"arn:aws:iam::aws:policy{path}{name}"

    def customer_policy(self, acct: Account, name: str, document: Json) -> str:
        acct.customer_policies.setdefault(name, document)
        return self.arn(acct.account_id, "policy", name)

    # ---- drawn roles

    def draw(self, acct: Account, used: set[str]) -> Role:
        kind = self.rng.choices(self.kinds, cum_weights=self.cum_weights)[0]
        make: Callable[[Account, set[str]], Role] = getattr(self, "role_" + kind.replace("-", "_"))
        role = make(acct, used)
        if role.name in used:  # keep names unique within the account
            n = 2
            while f"{role.name}{n}" in used:
                n += 1
            role.name = f"{role.name}{n}"
        return role

    def serial(self) -> str:
        return f"{self.rng.randrange(1000):03d}"

    # ---- users and groups

    def people(self, acct: Account, index: int) -> None:
        a = acct.account_id
        groups: dict[str, tuple[list[str], dict[str, Json]]]
        users: list[tuple[str, str | None]]
        if index == 0:
            groups = {"Admins": ([self.aws_policy("AdministratorAccess")], {}),
                      "BillingAdmins": ([], {"Billing": doc(allow(["aws-portal:*", "ce:*", "budgets:*"]))})}
            users = [("breakglass-admin", "Admins"), ("billing-ops", "BillingAdmins")]
        else:
            operators = [self.arn(a, "role", r.name, r.path) for r in acct.roles if r.kind == "same-account-operator"]
            groups = {}
            users = []
            if operators and self.rng.random() < 0.4:
                groups["Operators"] = ([], {"AssumeOperatorRoles": doc(allow("sts:AssumeRole", operators[:10]))})
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
            inline = {} if group else {"Upload": doc(allow("s3:PutObject", f"arn:aws:s3:::{acct.name}-uploads/*"))}
            acct.users.append({
                "Path": "/", "UserName": uname, "UserId": self.ids.unique("AIDA"),
                "Arn": self.arn(a, "user", uname), "CreateDate": self.ids.stamp(),
                "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
                "GroupList": [group] if group else [], "AttachedManagedPolicies": [], "Tags": [],
            })

