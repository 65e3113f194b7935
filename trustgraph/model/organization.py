"""AWS Organizations data: the organization, its accounts and OU paths, SCPs and RCPs with their targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from trustgraph.model.location import MEMORY, Location
from trustgraph.model.policy import Policy


class OrgPolicyType(Enum):
    """Service control policies restrict principals; resource control policies restrict resources."""

    SCP = "SERVICE_CONTROL_POLICY"
    RCP = "RESOURCE_CONTROL_POLICY"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgPolicy:
    """An SCP or RCP and the roots, OUs and accounts it is attached to."""

    policy_id: str
    name: str
    type: OrgPolicyType
    document: Policy
    targets: tuple[str, ...] = ()  # root ids r-..., OU ids ou-..., account ids
    aws_managed: bool = False
    location: Location = field(default=MEMORY, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgAccount:
    """A member account; ``parents`` is the chain from the root down to the account's OU (ids)."""

    account_id: str
    name: str | None = None
    status: str | None = None
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Organization:
    """One organization as the organizations files describe it.

    ``policies_known`` is False when no SCP/RCP files were loaded: then the SCPs and RCPs in force are unknown and
    the analysis treats them as permissive (as IAM Access Analyzer does) and says so.
    """

    org_id: str
    arn: str | None = None
    management_account_id: str | None = None
    accounts: tuple[OrgAccount, ...] = ()
    policies: tuple[OrgPolicy, ...] = ()
    policies_known: bool = False
    accounts_known: bool = False
    sources: tuple[str, ...] = ()

    @cached_property
    def account_by_id(self) -> dict[str, OrgAccount]:
        """Member accounts by id."""
        return {a.account_id: a for a in self.accounts}

    def is_member(self, account_id: str) -> bool | None:
        """True/False when the member list is known, None when it is not (only describe-organization loaded)."""
        if account_id == self.management_account_id or account_id in self.account_by_id:
            return True
        return False if self.accounts_known else None

    def org_paths(self, account_id: str) -> tuple[str, ...]:
        """The value of aws:PrincipalOrgPaths for principals of the account: ``o-x/r-y/ou-z/.../``; one value per
        account (every caller's request context of the account holds it: at 20,000 roles 28,000 copies)."""
        known = self._org_paths.get(account_id)
        if known is not None:
            return known
        acct = self.account_by_id.get(account_id)
        paths = () if acct is None or not acct.parents else ("/".join((self.org_id, *acct.parents)) + "/",)
        self._org_paths[account_id] = paths
        return paths

    @cached_property
    def _org_paths(self) -> dict[str, tuple[str, ...]]:
        """:meth:`org_paths` per account id, once computed."""
        return {}

    def policies_for(self, account_id: str, kind: OrgPolicyType) -> tuple[tuple[OrgPolicy, ...], ...]:
        """The policies of ``kind`` in force at each level (root, OUs, account) above an account.

        SCPs/RCPs must allow at every level, so the result is grouped by level. The management account is never
        restricted: for it the result is empty.
        """
        if account_id == self.management_account_id:
            return ()
        acct = self.account_by_id.get(account_id)
        levels = (*(acct.parents if acct else ()), account_id)
        return tuple(
            tuple(p for p in self.policies if p.type is kind and level in p.targets) for level in levels
        )

    def documents_for(self, account_id: str, kind: OrgPolicyType) -> tuple[tuple[Policy, ...], ...]:
        """The documents of :meth:`policies_for`, level by level; one value per (account, kind), since every caller
        and target of the account holds it."""
        key = (account_id, kind)
        known = self._documents.get(key)
        if known is None:
            known = self._documents[key] = tuple(
                tuple(p.document for p in level) for level in self.policies_for(account_id, kind))
        return known

    @cached_property
    def _documents(self) -> dict[tuple[str, OrgPolicyType], tuple[tuple[Policy, ...], ...]]:
        """:meth:`documents_for`, once computed."""
        return {}


class ProviderType(Enum):
    """SAML 2.0 or OpenID Connect."""

    SAML = "saml"
    OIDC = "oidc"


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityProvider:
    """An IAM identity provider from ``list-open-id-connect-providers``/``get-open-id-connect-provider`` or
    ``list-saml-providers``."""

    arn: str
    type: ProviderType
    url: str | None = None
    client_ids: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    location: Location = field(default=MEMORY, compare=False)
