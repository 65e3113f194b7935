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


Segment = tuple[HopWitness, ...] | EscalationEdge


@dataclass
class MixedOutcome:
    """What one mixed search found: for each node its hop count and predecessor (a node and the segment of hops
    from it: an assume-role path or one escalation edge), undecided assume hops, and refused methods."""

    source: str
    pred: dict[str, tuple[int, str | None, Segment]]
    unknown: list[str]
    refused: dict[str, list[str]]

    def path(self, node: str) -> Path | None:
        """The hops from the source to ``node`` (None when not reached)."""
        if node not in self.pred:
            return None
        segments: list[Segment] = []
        cur: str | None = node
        while cur is not None:
            _, prev, seg = self.pred[cur]
            segments.append(seg)
            cur = prev
        hops: list[HopWitness] = []
        for seg in reversed(segments):
            hops.extend((escalation_hop(seg),) if isinstance(seg, EscalationEdge) else seg)
        return tuple(hops)


#: the assume-role reach of one principal: (node reached, hops from the principal) pairs
AssumeReach = tuple[tuple[str, Path], ...]


def mixed_search(engine: ReachabilityEngine, escalations: Escalations, label: str, starts: tuple[str, ...],
                 options: QueryOptions, *, outside_only: bool = False,
                 reach_cache: dict[tuple[str, QueryOptions], AssumeReach] | None = None) -> MixedOutcome:
    """Every node the source reaches with both edge kinds (see the module docstring). ``reach_cache`` keeps the
    assume-role reach of each principal between searches (it does not depend on the source)."""
    G = engine.G
    assume_options = replace(options, via="assume")
    cache = reach_cache if reach_cache is not None else {}
    pred: dict[str, tuple[int, str | None, Segment]] = {s: (0, None, ()) for s in starts}
    unknown: list[str] = []
    heap: list[tuple[int, int, str]] = []
    counter = 0

    def offer(node: str, length: int, prev: str | None, seg: Segment) -> None:
        nonlocal counter
        if options.max_hops is not None and length > options.max_hops:
            return
        old = pred.get(node)
        if old is not None and old[0] <= length:
            return
        pred[node] = (length, prev, seg)
        counter += 1
        heapq.heappush(heap, (length, counter, node))

    def reach_of(label_: str, starts_: tuple[str, ...], outside: bool) -> AssumeReach:
        outcome = engine.search(label_, assume_options, outside_only=outside, starts=starts_)
        unknown.extend(f"{s[0]} -> {r}: {why}" for s, r, why in outcome.unknown_edges)
        return tuple((node, outcome.path_to(state)) for node, state in outcome.first.items())

    for node, sub in reach_of(label, starts, outside_only):
        offer(node, len(sub), None, sub)
    for s in starts:
        counter += 1
        heapq.heappush(heap, (0, counter, s))
    expanded: set[str] = set()
    while heap:
        length, _, node = heapq.heappop(heap)
        if node in expanded or pred[node][0] != length:
            continue
        expanded.add(node)
        if node.startswith(ADMIN_PREFIX) or node not in G or G.nodes[node]["kind"] not in ("user", "role"):
            continue
        if length:  # a principal obtained on the way: its own assume-role reach
            key = (node, assume_options)
            reach = cache.get(key)
            if reach is None:
                reach = cache[key] = reach_of(node, (node,), False)
            for reached, sub in reach:
                offer(reached, length + len(sub), node, sub)
        for edge in escalations.edges_from(node):
            offer(edge.target, length + 1, node, edge)
        if G.nodes[node].get("admin_kind") == "admin":  # admin-equivalents get there by an escalation edge
            acct = G.nodes[node].get("account")
            if acct:
                offer(admin_node(acct), length, node, ())
    refused = {s: escalations.refused(s) for s in starts if s in G and G.nodes[s]["kind"] in ("user", "role")}
    return MixedOutcome(label, pred, unknown, refused)


def admin_targets(G: nx.MultiDiGraph) -> tuple[str, ...]:
    """``admin:ACCOUNT`` for every exported account."""
    accounts = sorted({d["account"] for _, d in G.nodes(data=True) if d["kind"] in ("user", "role")})
    return tuple(admin_node(a) for a in accounts)


def result_of(outcome: MixedOutcome, target: str, specific: bool) -> ReachResult | None:
    """The answer for one target (None for a target not reached, unless the pair was asked specifically)."""
    path = outcome.path(target)
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
