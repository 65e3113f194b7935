"""Everything loaded for one analysis: account snapshots, organizations and identity providers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from trustgraph.model.account import AccountSnapshot, Flag, Role, User
from trustgraph.model.organization import IdentityProvider, Organization
from trustgraph.model.zone import Zone


@dataclass(frozen=True, kw_only=True)
class Estate:
    """The loaded accounts (one snapshot per account id), organizations and identity providers.

    ``skipped`` lists the files a directory walk left out that could have been exports, each as ``path (why)``
    (see :func:`trustgraph.ingest.load.iter_json_files`); the CLI prints them in one warning line.
    """

    accounts: tuple[AccountSnapshot, ...] = ()
    organizations: tuple[Organization, ...] = ()
    identity_providers: tuple[IdentityProvider, ...] = ()
    sources: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = field(default=(), compare=False)
    skipped: tuple[str, ...] = field(default=(), compare=False)

    @cached_property
    def account_by_id(self) -> dict[str, AccountSnapshot]:
        """Snapshots by account id."""
        return {a.account_id: a for a in self.accounts}

    @cached_property
    def role_by_arn(self) -> dict[str, Role]:
        """Every role of every loaded account by ARN."""
        return {r.arn: r for a in self.accounts for r in a.roles}

    @cached_property
    def role_by_id(self) -> dict[str, Role]:
        """Roles by unique id (AROA...), which is what IAM stores for a role named in a trust policy."""
        return {r.role_id: r for a in self.accounts for r in a.roles}

    @cached_property
    def user_by_arn(self) -> dict[str, User]:
        """Every user of every loaded account by ARN."""
        return {u.arn: u for a in self.accounts for u in a.users}

    @cached_property
    def user_by_id(self) -> dict[str, User]:
        """Users by unique id (AIDA...)."""
        return {u.user_id: u for a in self.accounts for u in a.users}

    def organization_of(self, account_id: str) -> Organization | None:
        """The loaded organization the account is a known member of, if any."""
        for org in self.organizations:
            if org.is_member(account_id):
                return org
        return None

    def all_flags(self) -> tuple[Flag, ...]:
        """Flags of the estate and of every account snapshot."""
        return self.flags + tuple(f for a in self.accounts for f in a.flags)

    def default_zone(self) -> Zone:
        """The loaded accounts plus the organizations loaded with them."""
        return Zone(
            accounts=frozenset(a.account_id for a in self.accounts),
            organizations=frozenset(o.org_id for o in self.organizations),
            source="default",
        )

    def account_inside(self, zone: Zone, account_id: str) -> bool:
        """True when principals of ``account_id`` are inside the zone.

        An account is inside when the zone lists it, or when it is a known member of a zone organization. An account
        whose membership cannot be established from the loaded organizations files is outside (its principals are
        then analysed as attacker-controlled, which over-approximates what they can reach).
        """
        if account_id in zone.accounts:
            return True
        org = self.organization_of(account_id)
        return org is not None and org.org_id in zone.organizations
