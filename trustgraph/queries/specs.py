"""SOURCE and TARGET arguments of queries, resolved against the graph.

SOURCE: a user, role or role-session ARN, of an exported account or not (docs/semantics.md §4; those that are not
graph nodes resolve to :class:`~trustgraph.queries.virtual.VirtualSource`);
``arn:aws:iam::ID:root`` or ``account:ID`` (any principal of that account: the exported principals of an exported
account of the zone, otherwise a :class:`~trustgraph.queries.virtual.VirtualSource` whose identity side is unknown);
``external`` (any principal outside the zone, federated identities outside it included); ``federated:PROVIDER``;
``service:NAME``; ``*`` or None (every source). TARGET: a role ARN, a glob of role ARNs, ``admin``, ``*`` or None.

Resolving never changes the graph: a source that has no node is a virtual source the engine registers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustgraph.errors import UsageError
from trustgraph.graph.nodes import EXTERNAL, FEDERATED_KINDS, NodeKind, account_node
from trustgraph.model.arn import is_account_id, parse_arn
from trustgraph.model.pattern import matches, parse_pattern
from trustgraph.queries.virtual import VirtualSource, account_source, principal_source

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Sources:
    """Resolved sources: the start nodes, whether the spec named one specific source, and whether the zone's
    trusted-subject globs apply (``external``)."""

    nodes: tuple[str, ...]
    specific: bool
    outside_only: bool = False
    text: str = "*"
    #: sources among ``nodes`` that are not graph nodes (a session, a principal of an unexported account)
    virtual: tuple[VirtualSource, ...] = ()


@dataclass(frozen=True, slots=True)
class Targets:
    """Resolved target roles and whether the spec named one specific role."""

    roles: tuple[str, ...]
    specific: bool
    text: str = "*"


def _roles(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in G.nodes(data=True) if d["kind"] == NodeKind.ROLE.value)


def resolve_sources(G: nx.MultiDiGraph, spec: str | None) -> Sources:
    """Resolve a SOURCE argument.

    Raises
    ------
    UsageError
        When the spec names nothing in the loaded exports.
    """
    estate = G.graph["estate"]
    zone = G.graph["zone"]
    if spec is None or spec == "*":
        nodes = tuple(sorted(n for n, d in G.nodes(data=True)
                             if G.out_degree(n) > 0 and d["kind"] != NodeKind.PRINCIPALS.value))
        return Sources(nodes, False, text="*")
    if spec == EXTERNAL:
        fed = {k.value for k in FEDERATED_KINDS}
        members = [EXTERNAL] if EXTERNAL in G else []
        members += sorted(n for n, d in G.nodes(data=True) if d["kind"] in fed and not d["inside"])
        return Sources(tuple(members), False, outside_only=True, text=spec)
    account = None
    partition = "aws"
    if spec.startswith("account:"):
        account = spec.split(":", 1)[1]
    else:
        arn = parse_arn(spec)
        if arn is not None and arn.service == "iam" and arn.resource == "root":
            account, partition = arn.account, arn.partition
    if account is not None:
        if not is_account_id(account):
            raise UsageError(f"`{spec}` is not an account: expected account:ID with a 12-digit id")
        node = account_node(account)
        if estate.account_inside(zone, account) and account in estate.account_by_id:
            principals = tuple(sorted(n for n, d in G.nodes(data=True)
                                      if d["account"] == account and d["kind"] in ("user", "role")))
            return Sources(principals, False, text=spec)
        if node in G:
            return Sources((node,), True, text=spec)
        source = account_source(G, account, partition)
        return Sources((node,), True, text=spec, virtual=(source,))
    if spec.startswith("federated:"):
        provider = spec.split(":", 1)[1]
        candidates = [n for n in G if n == spec or (n.startswith("federated:") and n.endswith("/" + provider))]
        if len(candidates) != 1:
            raise UsageError(f"no trust policy names the identity provider `{provider}`")
        return Sources((candidates[0],), True, text=spec)
    if spec.startswith("service:"):
        if spec not in G:
            raise UsageError(f"no trust policy names the service principal `{spec.split(':', 1)[1]}`")
        return Sources((spec,), True, text=spec)
    virtual = principal_source(G, spec)  # a session, or a principal of an account nobody exported
    if virtual is not None:
        return Sources((virtual.node,), True, text=spec, virtual=(virtual,))
    if spec in G and G.nodes[spec]["kind"] in ("user", "role"):
        return Sources((spec,), True, text=spec)
    raise UsageError(f"`{spec}` is not a source (expected a user, role or role-session ARN, account:ID, external, "
                     f"federated:PROVIDER, service:NAME or *)")


def resolve_targets(G: nx.MultiDiGraph, spec: str | None) -> Targets:
    """Resolve a TARGET argument."""
    if spec is not None and spec in G and G.nodes[spec]["kind"] == NodeKind.ROLE.value:
        return Targets((spec,), True, text=spec)  # a role ARN holds no `*` or `?`: not a glob
    roles = _roles(G)
    if spec is None or spec == "*":
        return Targets(tuple(roles), False, text="*")
    if spec == "admin":
        return Targets(tuple(r for r in roles if G.nodes[r]["admin"]), False, text=spec)
    if "*" in spec or "?" in spec:
        pattern = parse_pattern(spec, wildcards=True, variables=False)
        return Targets(tuple(r for r in roles if matches(pattern, r)), False, text=spec)
    if spec in G and G.nodes[spec]["kind"] == NodeKind.ROLE.value:
        return Targets((spec,), True, text=spec)
    raise UsageError(f"target `{spec}` is not a role of the loaded exports (expected a role ARN, a glob of role "
                     f"ARNs, admin or *)")
