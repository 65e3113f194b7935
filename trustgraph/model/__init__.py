"""Immutable values describing IAM: ARNs, principals, patterns, conditions, policies, accounts, organizations.

No I/O, no z3, no networkx here: ``trustgraph.ingest`` builds these values, everything else reads them. The names
below are imported on first use, so that importing one module (``trustgraph.model.location``) imports only it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph._lazy import lazy_getattr

if TYPE_CHECKING:
    from trustgraph.model.account import (
        AccountSnapshot,
        Flag,
        Group,
        InlinePolicy,
        InstanceProfile,
        ManagedPolicy,
        Role,
        User,
    )
    from trustgraph.model.arn import Arn, is_account_id, parse_arn
    from trustgraph.model.condition import Condition, Family, Operator, SetQualifier
    from trustgraph.model.estate import Estate
    from trustgraph.model.location import Location
    from trustgraph.model.organization import (
        IdentityProvider,
        OrgAccount,
        Organization,
        OrgPolicy,
        OrgPolicyType,
        ProviderType,
    )
    from trustgraph.model.pattern import Pattern, normalize_key, parse_pattern
    from trustgraph.model.policy import Effect, Glob, Policy, Statement
    from trustgraph.model.principal import Principal, PrincipalElement, PrincipalKind, classify_principal
    from trustgraph.model.zone import TrustedProvider, Zone

_LAZY = {
    "AccountSnapshot": "trustgraph.model.account",
    "Arn": "trustgraph.model.arn",
    "Condition": "trustgraph.model.condition",
    "Effect": "trustgraph.model.policy",
    "Estate": "trustgraph.model.estate",
    "Family": "trustgraph.model.condition",
    "Flag": "trustgraph.model.account",
    "Glob": "trustgraph.model.policy",
    "Group": "trustgraph.model.account",
    "IdentityProvider": "trustgraph.model.organization",
    "InlinePolicy": "trustgraph.model.account",
    "InstanceProfile": "trustgraph.model.account",
    "Location": "trustgraph.model.location",
    "ManagedPolicy": "trustgraph.model.account",
    "Operator": "trustgraph.model.condition",
    "OrgAccount": "trustgraph.model.organization",
    "OrgPolicy": "trustgraph.model.organization",
    "OrgPolicyType": "trustgraph.model.organization",
    "Organization": "trustgraph.model.organization",
    "Pattern": "trustgraph.model.pattern",
    "Policy": "trustgraph.model.policy",
    "Principal": "trustgraph.model.principal",
    "PrincipalElement": "trustgraph.model.principal",
    "PrincipalKind": "trustgraph.model.principal",
    "ProviderType": "trustgraph.model.organization",
    "Role": "trustgraph.model.account",
    "SetQualifier": "trustgraph.model.condition",
    "Statement": "trustgraph.model.policy",
    "TrustedProvider": "trustgraph.model.zone",
    "User": "trustgraph.model.account",
    "Zone": "trustgraph.model.zone",
    "classify_principal": "trustgraph.model.principal",
    "is_account_id": "trustgraph.model.arn",
    "normalize_key": "trustgraph.model.pattern",
    "parse_arn": "trustgraph.model.arn",
    "parse_pattern": "trustgraph.model.pattern",
}

__all__ = [
    "AccountSnapshot", "Arn", "Condition", "Effect", "Estate", "Family", "Flag", "Glob", "Group",
    "IdentityProvider", "InlinePolicy", "InstanceProfile", "Location", "ManagedPolicy", "Operator", "OrgAccount",
    "OrgPolicy", "OrgPolicyType", "Organization", "Pattern", "Policy", "Principal", "PrincipalElement",
    "PrincipalKind", "ProviderType", "Role", "SetQualifier", "Statement", "TrustedProvider", "User", "Zone",
    "classify_principal", "is_account_id", "normalize_key", "parse_arn", "parse_pattern",
]


__getattr__ = lazy_getattr("trustgraph.model", _LAZY, globals())
