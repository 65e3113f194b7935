"""The ``vendor-heavy`` profile: hundreds of outside accounts trusted by third-party integration roles, with and
without ``sts:ExternalId``.

A pool of 400 vendor accounts (ids drawn apart from the organization's) is used in a seeded order, so an organization
with N vendor roles names min(N, 400) distinct outside accounts. As SaaS integrations are written: the vendor's
account root or a named role of the vendor as principal (a few roles trust two vendor accounts, a vendor's regions),
an external id on most (one per customer account), none on a quarter, and the vacuous forms (``StringLike "*"``,
``StringEqualsIfExists``) on a few; a few vendors are given administrator rights.
"""

from __future__ import annotations

from trustgraph.synth.documents import ABBREVIATED_READ, Json, allow, doc, trust
from trustgraph.synth.mix import MixBuilder
from trustgraph.synth.shapes import Account, Role

VENDOR_MIX: tuple[tuple[str, float], ...] = (
    ("outside-vendor", 0.45),
    ("service", 0.22),
    ("service-linked", 0.08),
    ("cross-account-tooling", 0.08),
    ("same-account-operator", 0.07),
    ("github-oidc", 0.04),
    ("chained", 0.03),
    ("org-scoped", 0.03),
)
"""Kinds of the drawn roles of ``vendor-heavy`` and their shares."""

VENDOR_POOL = 400
CATEGORIES = ("monitoring", "siem", "backup", "finops", "cspm", "logs", "cicd", "dataplatform", "apm", "ticketing")


class VendorBuilder(MixBuilder):
    """Draws the ``vendor-heavy`` organization."""

    role_mix = VENDOR_MIX

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        taken = {int(x) for x in (*self.account_ids, *self.vendor_ids.values(), self.partner_id)}
        pool: list[str] = []
        while len(pool) < VENDOR_POOL:
            x = self.rng.randrange(100_000_000_000, 1_000_000_000_000)
            if x not in taken:
                taken.add(x)
                pool.append(f"{x:012d}")
        self.pool = pool
        self.pool_names = [f"{CATEGORIES[i % len(CATEGORIES)]}-vendor-{i:03d}" for i in range(VENDOR_POOL)]
        self.next_vendor = 0

    def pool_size(self) -> int:
        """Vendors of the pool that roles are drawn from (the ``random`` profile draws its own number)."""
        return VENDOR_POOL

    def vendor(self) -> int:
        """The next vendor of the pool, in order (so the distinct vendors grow with the vendor roles)."""
        i = self.next_vendor % self.pool_size()
        self.next_vendor += 1
        return i

    def second_vendor(self, i: int) -> int:
        """The vendor whose account is the second one of vendor ``i`` when it runs from two accounts."""
        return (i + VENDOR_POOL // 2) % VENDOR_POOL

    def vendor_condition(self, external_id: str) -> Json | None:
        """The condition of an outside vendor's trust: the external id on most, a rotation in progress (old and new
        id) on some, nothing on a quarter, the vacuous forms on a few."""
        draw = self.rng.random()
        if draw < 0.58:
            return {"StringEquals": {"sts:ExternalId": external_id}}
        if draw < 0.66:  # a rotation in progress: the old and the new id
            return {"StringEquals": {"sts:ExternalId": [external_id, f"{external_id}-v2"]}}
        if draw < 0.90:
            return None
        if draw < 0.95:
            return {"StringLike": {"sts:ExternalId": "*"}}
        return {"StringEqualsIfExists": {"sts:ExternalId": external_id}}

    def vendor_admin(self) -> bool:
        """Whether an outside vendor's role is given administrator rights."""
        return self.rng.random() < 0.05

    def role_outside_vendor(self, acct: Account, used: set[str]) -> Role:
        i = self.vendor()
        vid, vname = self.pool[i], self.pool_names[i]
        shape = self.rng.random()
        if shape < 0.60:
            principal: str | list[str] = f"arn:aws:iam::{vid}:root"
        elif shape < 0.92:
            principal = f"arn:aws:iam::{vid}:role/{vname}-integration"
        else:  # the vendor runs from two accounts (regions, environments)
            principal = [f"arn:aws:iam::{vid}:root", f"arn:aws:iam::{self.pool[self.second_vendor(i)]}:root"]
        condition = self.vendor_condition(f"{vname}-{acct.account_id[-6:]}-{self.ids.hex(12)}")
        admin = self.vendor_admin()
        managed = [self.aws_policy("AdministratorAccess")] if admin else []
        inline: dict[str, Json] = {} if admin else {"VendorRead": self.shared(("vendor-read",), lambda: doc(allow(
            list(ABBREVIATED_READ))))}
        return Role(f"{vname}-integration", "/vendors/", trust({"AWS": principal}, condition=condition),
                    "outside-vendor", inline, managed, tags=(("vendor", vname),))
