"""Immutable values describing IAM: ARNs, principals, patterns, conditions, policies, accounts, organizations.

No I/O, no z3, no networkx here: ``trustgraph.ingest`` builds these values, everything else reads them.
"""

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

__all__ = [
    "AccountSnapshot", "Arn", "Condition", "Effect", "Estate", "Family", "Flag", "Glob", "Group",
    "IdentityProvider", "InlinePolicy", "InstanceProfile", "Location", "ManagedPolicy", "Operator", "OrgAccount",
    "OrgPolicy", "OrgPolicyType", "Organization", "Pattern", "Policy", "Principal", "PrincipalElement",
    "PrincipalKind", "ProviderType", "Role", "SetQualifier", "Statement", "TrustedProvider", "User", "Zone",
    "classify_principal", "is_account_id", "normalize_key", "parse_arn", "parse_pattern",
]
