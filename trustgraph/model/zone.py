"""The zone of trust: which principals count as inside.

A principal is inside when its account is a zone account or a member of a zone organization. Federated identities
are outside unless the zone names their provider, optionally only for subjects matching given globs ("tokens from
this provider whose subject matches are ours"), as IAM Access Analyzer treats them.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustgraph.model.pattern import Pattern, matches


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
    """Accounts, organizations and trusted identity providers that count as inside."""

    accounts: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    identity_providers: tuple[TrustedProvider, ...] = ()
    source: str = "default"  # "default", "--zone", or the zone file's path

    def describe(self) -> dict[str, object]:
        """A JSON-ready echo of the zone, for reports."""
        return {
            "accounts": sorted(self.accounts),
            "organizations": sorted(self.organizations),
            "identity_providers": [
                {"provider": p.provider, "subjects": list(p.subjects) if p.subjects is not None else None}
                for p in self.identity_providers
            ],
            "source": self.source,
        }
