"""The zone of trust: which principals count as inside.

A principal is inside when its account is a zone account or a member of a zone organization. Federated identities
are outside unless the zone names their provider, optionally only for subjects matching given globs ("tokens from
this provider whose subject matches are ours"), as IAM Access Analyzer treats them. One exception by default: the SAML
providers IAM Identity Center creates in the zone's own accounts (``saml-provider/AWSSSO_<id>_DO_NOT_DELETE``) are
the organization's workforce and count as inside, unless the zone says ``identity_center = "outside"`` (the strict
view, for reviews of who may reach what through Identity Center).

Where a zone came from is part of it (``origin``): the default from organizations data (the organizations loaded are
the zone), the default from the exported accounts (no organizations data), ``--zone``, or zone files (given with
``--zone-file`` or found in a scanned directory). ``notes`` are the lines every output shows under the zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustgraph.model.pattern import Pattern, matches

#: The name IAM Identity Center gives the SAML provider it creates in every account it manages.
IDENTITY_CENTER_PROVIDER = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):saml-provider/AWSSSO_[0-9A-Za-z]+_DO_NOT_DELETE$")

#: The IAM path of the roles Identity Center provisions for permission sets.
IDENTITY_CENTER_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"

#: ``origin`` values of the two defaults (no ``--zone`` and no zone file).
ORIGIN_ORGANIZATIONS = "organizations data"
ORIGIN_EXPORTED = "exported accounts"
DEFAULT_ORIGINS = (ORIGIN_ORGANIZATIONS, ORIGIN_EXPORTED)


def identity_center_account(provider: str) -> str | None:
    """The account of an IAM Identity Center SAML provider ARN, or None when ``provider`` is not one.

    Examples
    --------
    >>> identity_center_account("arn:aws:iam::111122223333:saml-provider/AWSSSO_5f2c8a1e9b3d7c40_DO_NOT_DELETE")
    '111122223333'
    >>> identity_center_account("arn:aws:iam::111122223333:saml-provider/Okta") is None
    True
    """
    m = IDENTITY_CENTER_PROVIDER.match(provider)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustedProvider:
    """A federated provider the zone trusts. ``subjects`` None means every subject of the provider is ours."""

    provider: str
    provider_pattern: Pattern
    subjects: tuple[str, ...] | None = None
    subject_patterns: tuple[Pattern, ...] | None = None

    def names(self, provider: str) -> bool:
        """True when this entry's provider glob matches a provider ARN or built-in IdP name."""
        return matches(self.provider_pattern, provider)


@dataclass(frozen=True, slots=True, kw_only=True)
class Zone:
    """Accounts, organizations and trusted identity providers that count as inside, and where that came from.

    Attributes
    ----------
    accounts, organizations
        Account ids and ``o-`` organization ids whose principals are inside (an organization: its known members).
    identity_providers
        Federated providers the zone names (with optional subject globs).
    identity_center
        True (the default): IAM Identity Center SAML providers of zone accounts are inside. False: they are outside
        like any provider the zone does not name.
    source
        ``default``, ``--zone``, or the zone file path(s) joined by `` + `` (kept for version 1 reports).
    origin
        :data:`ORIGIN_ORGANIZATIONS` or :data:`ORIGIN_EXPORTED` for the defaults, else ``--zone``, ``zone file`` or
        ``zone file + --zone``.
    zone_files
        The zone files read; ``found_in_directory`` when they were found in a scanned directory (no option given).
    inside_accounts
        Every account id known to be inside (listed, or a known member of a zone organization), when the zone was
        resolved against loaded exports.
    exported_outside
        Exported accounts that are outside the zone.
    notes
        Lines every output prints under the zone (an exported account left outside, a member list not loaded...).
    """

    accounts: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    identity_providers: tuple[TrustedProvider, ...] = ()
    identity_center: bool = True
    source: str = "default"
    origin: str = ORIGIN_EXPORTED
    zone_files: tuple[str, ...] = ()
    found_in_directory: bool = False
    inside_accounts: frozenset[str] = frozenset()
    exported_outside: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        """True when neither ``--zone`` nor a zone file gave the zone."""
        return self.origin in DEFAULT_ORIGINS

    def trusted_entries(self, provider: str) -> tuple[TrustedProvider, ...]:
        """The zone's entries naming a provider ARN or built-in IdP name."""
        return tuple(tp for tp in self.identity_providers if tp.names(provider))

    def describe(self) -> dict[str, object]:
        """A JSON-ready echo of the zone, for reports."""
        return {
            "accounts": sorted(self.accounts),
            "organizations": sorted(self.organizations),
            "identity_providers": [
                {"provider": p.provider, "subjects": list(p.subjects) if p.subjects is not None else None}
                for p in self.identity_providers
            ],
            "identity_center": "inside" if self.identity_center else "outside",
            "source": self.source,
            "origin": self.origin,
            "default": self.is_default,
            "zone_files": list(self.zone_files),
            "found_in_directory": self.found_in_directory,
            "inside_accounts": sorted(self.inside_accounts),
            "exported_outside": sorted(self.exported_outside),
            "notes": list(self.notes),
        }
