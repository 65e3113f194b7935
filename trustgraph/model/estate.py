"""Everything loaded for one analysis: account snapshots, organizations and identity providers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

from trustgraph.model.account import AccountSnapshot, Flag, Role, User
from trustgraph.model.organization import IdentityProvider, Organization
from trustgraph.model.principal import PrincipalKind
from trustgraph.model.zone import ORIGIN_EXPORTED, ORIGIN_ORGANIZATIONS, Zone, identity_center_account

_T = TypeVar("_T")


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

    @cached_property
    def _facts(self) -> dict[Any, Any]:
        """The facts :meth:`fact` computed, by key (this value's own: a replaced estate starts empty)."""
        return {}

    def fact(self, key: Any, compute: Callable[[Estate], _T]) -> _T:
        """``compute(self)``, remembered on this estate under ``key``: a fact read off the whole estate (every
        policy, say) that each engine over it would otherwise compute again (the bench's and a notebook's fresh
        engines over one loaded estate). ``compute`` must read only the estate, which never changes, and be the same
        function for every call with ``key`` (the key names the question)."""
        facts = self._facts
        if key in facts:
            known: _T = facts[key]
            return known
        value = facts[key] = compute(self)
        return value

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
        """The zone when no ``--zone`` and no zone file is given, resolved (:meth:`resolve_zone`).

        With organizations data loaded, the zone is the organization(s): every account they list, exported or not;
        an exported account no loaded organization lists is outside. An organization whose member list was not
        loaded (``describe-organization`` alone) cannot say which exported accounts belong to it: those are then
        counted inside, as the exported accounts are without organizations data.
        """
        if not self.organizations:
            return self.resolve_zone(Zone(accounts=frozenset(a.account_id for a in self.accounts),
                                          origin=ORIGIN_EXPORTED))
        unlisted = frozenset(
            a.account_id for a in self.accounts
            if any(o.is_member(a.account_id) is None for o in self.organizations)
            and not any(o.is_member(a.account_id) for o in self.organizations)
        )
        notes = tuple(
            f"organization {o.org_id}: its member list (list-accounts) was not loaded, so exported account(s) "
            f"{', '.join(sorted(unlisted))} count as inside" for o in self.organizations if not o.accounts_known
            and unlisted
        )
        return self.resolve_zone(Zone(accounts=unlisted, organizations=frozenset(o.org_id for o in self.organizations),
                                      origin=ORIGIN_ORGANIZATIONS, notes=notes))

    def resolve_zone(self, zone: Zone) -> Zone:
        """``zone`` with the accounts known to be inside, the exported accounts left outside and the notes that say
        so (an exported account outside the zone; Identity Center's providers inside or not)."""
        inside = set(zone.accounts)
        for org in self.organizations:
            if org.org_id in zone.organizations:
                inside.update(a.account_id for a in org.accounts)
                if org.management_account_id:
                    inside.add(org.management_account_id)
        outside = frozenset(a.account_id for a in self.accounts if not self.account_inside(zone, a.account_id))
        notes = list(zone.notes)
        if outside:
            shown = sorted(outside)
            names = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
            listed = [o.org_id for o in self.organizations if o.accounts_known]
            why = (f" (not listed by organization {', '.join(listed)})"
                   if zone.origin == ORIGIN_ORGANIZATIONS and listed else "")
            notes.append(f"exported account{'s' if len(shown) > 1 else ''} {names}{why}: outside the zone, "
                         "analysed as outsiders")
        centers = sorted({p for p in self._saml_providers() if identity_center_account(p)})
        ours = [p for p in centers if self.account_inside(zone, identity_center_account(p) or "")]
        if ours:
            if zone.identity_center:
                notes.append(f"IAM Identity Center ({len(ours)} AWSSSO SAML provider(s) of zone accounts) counts as "
                             "inside; identity_center = \"outside\" in a zone file reports its routes too")
            else:
                notes.append(f"IAM Identity Center ({len(ours)} AWSSSO SAML provider(s) of zone accounts) counts as "
                             "outside (identity_center = \"outside\")")
        return replace(zone, inside_accounts=frozenset(inside), exported_outside=outside, notes=tuple(notes))

    def _saml_providers(self) -> set[str]:
        """SAML provider ARNs from the provider listings and the trust policies."""
        found = {idp.arn for idp in self.identity_providers}
        for role in self.role_by_arn.values():
            for st in role.trust_policy.statements:
                for p in st.principals or ():
                    if p.kind is PrincipalKind.SAML_PROVIDER:
                        found.add(p.text)
        return found

    def provider_inside(self, zone: Zone, provider: str) -> bool:
        """True when every identity of a federated provider is inside: the zone names it without subject globs, or it
        is IAM Identity Center's SAML provider in a zone account and the zone counts Identity Center inside."""
        if any(tp.subjects is None for tp in zone.trusted_entries(provider)):
            return True
        account = identity_center_account(provider)
        return zone.identity_center and account is not None and self.account_inside(zone, account)

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
