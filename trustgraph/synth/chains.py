"""The ``chain-heavy`` profile: long role chains, within and across accounts, and account-root trusts inside the
organization.

Every account holds a pipeline of 4 to 7 stage roles (``/pipeline/stage-K``), each trusting the previous one by ARN
and allowed by it to be assumed; the last stage is an administrator. Accounts are paired: the last stage of the first
account of a pair may assume the first stage of the second, which trusts the first account's root (so a chain runs
up to 14 hops), and the first stage of a pair trusts the tooling account's root. The drawn roles add chains inside the
account, roles trusting another account's root, and roles trusting a named role of another account (whose identity
policy is extended to allow it, as the owner of a real chain does).
"""

from __future__ import annotations

from trustgraph.synth.documents import Json, allow, doc, trust
from trustgraph.synth.mix import MixBuilder
from trustgraph.synth.shapes import Account, Role

CHAIN_MIX: tuple[tuple[str, float], ...] = (
    ("chained", 0.20),
    ("root-trust", 0.15),
    ("cross-account-chained", 0.12),
    ("same-account-operator", 0.10),
    ("service", 0.25),
    ("service-linked", 0.08),
    ("cross-account-tooling", 0.06),
    ("vendor", 0.02),
    ("github-oidc", 0.02),
)
"""Kinds of the drawn roles of ``chain-heavy`` and their shares."""

STAGE_PATH = "/pipeline/"
CHAIN_SOURCES = frozenset({"chained", "root-trust", "cross-account-chained", "pipeline-stage", "same-account-operator"})
"""Kinds of role a drawn cross-account chain may start from."""
MIN_STAGES, MAX_STAGES = 4, 7


class ChainBuilder(MixBuilder):
    """Draws the ``chain-heavy`` organization."""

    role_mix = CHAIN_MIX

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        # roles of the accounts drawn before the current one that a cross-account chain may start from, and those
        # of the current account (moved over when the next account starts)
        self.sources: list[tuple[str, Role]] = []
        self.current: list[tuple[str, Role]] = []

    def stage_arn(self, account: str, k: int) -> str:
        return self.arn(account, "role", f"stage-{k}", STAGE_PATH)

    def extra_baseline(self, acct: Account, index: int) -> None:
        a = acct.account_id
        depth = MIN_STAGES + self.rng.randrange(MAX_STAGES - MIN_STAGES + 1)
        first_of_pair = index % 2 == 0
        entry = self.tooling if first_of_pair else self.account_ids[index - 1]
        stages: list[Role] = []
        kept = max(0, self.m - len(acct.roles))  # the baseline is truncated to the roles per account
        for k in range(1, depth + 1):
            principal = f"arn:aws:iam::{entry}:root" if k == 1 else self.stage_arn(a, k - 1)
            last = k == depth
            inline: dict[str, Json] = {}
            if not last:
                inline["AssumeNextStage"] = doc(allow("sts:AssumeRole", self.stage_arn(a, k + 1)))
            elif first_of_pair and index + 1 < self.n:
                inline["AssumeNextAccount"] = doc(allow("sts:AssumeRole",
                                                        self.stage_arn(self.account_ids[index + 1], 1)))
            managed = [self.aws_policy("AdministratorAccess")] if last else []
            stages.append(Role(f"stage-{k}", STAGE_PATH, trust({"AWS": principal}), "pipeline-stage", inline,
                               managed))
        acct.roles.extend(stages)
        acct.extra["stages"] = [r.name for r in stages[:kept]]
        self.sources.extend(self.current)
        self.current = [(a, r) for r in stages[:kept]]

    def draw(self, acct: Account, used: set[str]) -> Role:
        role = super().draw(acct, used)
        if role.kind in CHAIN_SOURCES:
            self.current.append((acct.account_id, role))
        return role

    # ---- drawn roles

    def other_account(self, acct: Account) -> str:
        others = [x for x in self.account_ids if x != acct.account_id]
        return self.rng.choice(others) if others else acct.account_id

    def role_root_trust(self, acct: Account, used: set[str]) -> Role:
        other = self.other_account(acct)
        admin = self.rng.random() < 0.2
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Json] = {} if admin else {"Read": self.shared(("root-trust-read",), lambda: doc(allow(
            ["s3:GetObject", "s3:ListBucket", "dynamodb:Query", "sqs:ReceiveMessage"])))}
        policy_doc = self.shared(("root", other), lambda: trust({"AWS": f"arn:aws:iam::{other}:root"}))
        return Role(f"{'admin' if admin else 'access'}-from-{other[-4:]}", "/", policy_doc, "root-trust", inline,
                    managed)

    def role_cross_account_chained(self, acct: Account, used: set[str]) -> Role:
        a = acct.account_id
        if not self.sources:
            return self.role_root_trust(acct, used)
        source_account, source = self.rng.choice(self.sources)
        admin = self.rng.random() < 0.3
        name = f"{'xacct-admin' if admin else 'xacct-job'}-{self.serial()}"
        grant = source.inline.setdefault("AssumeCrossAccount", doc(allow("sts:AssumeRole", [])))
        resources = grant["Statement"][0]["Resource"]
        if len(resources) < 20:  # an identity policy lists a few targets, not hundreds
            resources.append(self.arn(a, "role", name))
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Json] = {} if admin else {"Jobs": doc(allow(["batch:SubmitJob", "batch:Describe*"]))}
        source_arn = self.arn(source_account, "role", source.name, source.path)
        return Role(name, "/", trust({"AWS": source_arn}), "cross-account-chained", inline, managed)
