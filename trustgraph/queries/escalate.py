"""Reachability with every edge kind (``--via all``): assume-role chains mixed with privilege-escalation edges.

The search alternates the two kinds: from the source, the assume-role search of
:class:`~trustgraph.queries.engine.ReachabilityEngine` gives every role it reaches with a witnessed path; from each
exported user or role so reached (the source itself included), the escalation edges of
:class:`~trustgraph.graph.escalation.Escalations` lead to users, roles and ``admin:ACCOUNT``; from each new user or
role the assume-role search runs again. Principals are expanded in order of path length (hops), so each is reached
by a shortest mixed path among those found. The query's key constraints apply to the assume hops; escalation hops
are IAM calls whose witness requests are their own.

A principal whose permissions allow everything (``admin_kind`` ``admin``) counts as ``admin:ACCOUNT`` of its
account for ``--to admin``; an admin-equivalent one gets there through the escalation edge that makes it one.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trustgraph.graph.escalation import ADMIN_PREFIX, EscalationEdge, Escalations, admin_node
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness, Reach, ReachResult, export_locations

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions

Path = tuple[HopWitness, ...]


def escalation_hop(edge: EscalationEdge) -> HopWitness:
    """The witnessed hop of one escalation edge."""
    statements: list[Location] = []
    for call in edge.calls:
        for loc in export_locations(call.decision.statements):
            if loc not in statements:
                statements.append(loc)
    from trustgraph.semantics.spelling import display_key

    def spelled(ctx: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {display_key(k): v for k, v in ctx.items()}

    first = edge.calls[0]
    return HopWitness(
        source=edge.source, target=edge.target, action=" + ".join(edge.actions), context=spelled(first.context),
        statements=tuple(statements), approximations=edge.approximations, method=edge.method.id,
        calls=tuple((c.action, c.resource, spelled(c.context)) for c in edge.calls),
        evidence=tuple((c.caller, c.action, c.resource, c.context) for c in edge.calls),
    )


@dataclass
class MixedOutcome:
    """What one mixed search found: the shortest path to each node, and undecided assume hops."""

    source: str
    paths: dict[str, Path]
    unknown: list[str]
    refused: dict[str, list[str]]


def mixed_search(engine: ReachabilityEngine, escalations: Escalations, label: str, starts: tuple[str, ...],
                 options: QueryOptions, *, outside_only: bool = False) -> MixedOutcome:
    """Every node the source reaches with both edge kinds (see the module docstring)."""
    G = engine.G
    assume_options = replace(options, via="assume")
    paths: dict[str, Path] = {s: () for s in starts}
    unknown: list[str] = []
    heap: list[tuple[int, int, str]] = []
    counter = 0

    def offer(node: str, path: Path) -> None:
        nonlocal counter
        if options.max_hops is not None and len(path) > options.max_hops:
            return
        old = paths.get(node)
        if old is not None and len(old) <= len(path):
            return
        paths[node] = path
        counter += 1
        heapq.heappush(heap, (len(path), counter, node))

    def assume_from(label_: str, starts_: tuple[str, ...], prefix: Path, outside: bool) -> None:
        outcome = engine.search(label_, assume_options, outside_only=outside, starts=starts_)
        unknown.extend(f"{s[0]} -> {r}: {why}" for s, r, why in outcome.unknown_edges)
        for node, state in outcome.first.items():
            offer(node, prefix + outcome.path_to(state))

    assume_from(label, starts, (), outside_only)
    for s in starts:
        counter += 1
        heapq.heappush(heap, (0, counter, s))
    expanded: set[str] = set()
    while heap:
        length, _, node = heapq.heappop(heap)
        path = paths[node]
        if node in expanded or len(path) != length:
            continue
        expanded.add(node)
        if node.startswith(ADMIN_PREFIX) or node not in G or G.nodes[node]["kind"] not in ("user", "role"):
            continue
        if path:  # a principal obtained on the way: its own assume-role reach
            assume_from(node, (node,), path, False)
        for edge in escalations.edges_from(node):
            offer(edge.target, path + (escalation_hop(edge),))
        if G.nodes[node].get("admin_kind") == "admin":  # admin-equivalents get there by an escalation edge
            acct = G.nodes[node].get("account")
            if acct:
                offer(admin_node(acct), path)
    refused = {s: escalations.refused(s) for s in starts if s in G and G.nodes[s]["kind"] in ("user", "role")}
    return MixedOutcome(label, paths, unknown, refused)


def admin_targets(G: nx.MultiDiGraph) -> tuple[str, ...]:
    """``admin:ACCOUNT`` for every exported account."""
    accounts = sorted({d["account"] for _, d in G.nodes(data=True) if d["kind"] in ("user", "role")})
    return tuple(admin_node(a) for a in accounts)


def result_of(outcome: MixedOutcome, target: str, specific: bool) -> ReachResult | None:
    """The answer for one target (None for a target not reached, unless the pair was asked specifically)."""
    path = outcome.paths.get(target)
    if path is not None and path:
        approx = tuple(dict.fromkeys(a for h in path for a in h.approximations))
        return ReachResult(source=outcome.source, target=target, verdict=Reach.REACHABLE, hops=path,
                           approximations=approx)
    if path is not None:  # the source itself
        if target.startswith(ADMIN_PREFIX):
            return ReachResult(source=outcome.source, target=target, verdict=Reach.REACHABLE,
                               reason="the source holds administrator power itself")
        return None
    if not specific:
        return None
    if outcome.unknown:
        return ReachResult(source=outcome.source, target=target, verdict=Reach.UNKNOWN,
                           reason="the solver could not decide: " + "; ".join(sorted(set(outcome.unknown))[:5]))
    why = [f"{s}: {'; '.join(r)}" for s, r in outcome.refused.items() if r]
    reason = "no assume-role chain or escalation method reaches it"
    if why:
        reason += "; refused escalation methods: " + " | ".join(why)
    return ReachResult(source=outcome.source, target=target, verdict=Reach.UNREACHABLE, reason=reason)


__all__ = ["MixedOutcome", "admin_targets", "escalation_hop", "mixed_search", "result_of"]
