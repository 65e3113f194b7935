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

The assume-role search of each principal obtained on the way, and of a source that is one graph node, does not
depend on the mixed search's source: it is run once per :class:`AssumeReaches` (one per ``GraphQueries``, i.e. per
scan process) and kept, with its undecided hops (a later mixed search that reaches the principal gets them too).
It is replayed from the shared moves of
:class:`~trustgraph.queries.shared.SharedSearches` (each state's hops decided, and their next states and witnesses
built, once for every search; the replay visits the same states in the same order with the same parents, witnesses
and undecided hops as ``engine.search``, which ``GraphQueries.shared_assume_reach = False`` runs instead: the
reference, ``tests/checks/test_escalation_fast_paths.py``).

Cost: a mixed search is a Dijkstra over the principals it obtains, O(P log P) for P principals, plus each one's
assume-role search the first time any mixed search of the process reaches it. Those searches are O(P x (V + E'))
together (quadratic when wildcard ``sts:AssumeRole`` grants let every principal reach most others), but every
(state, candidate hop) is decided and its witness built once per options, O(V + E'); the rest is the replay, a walk
over the states each search reaches and their hops not known to be blocked, without asking or building anything
(measured at 500 roles, random profile seed 2: ~1 ms per search replayed, ~28 ms per ``engine.search``).
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
    from trustgraph.queries.outcome import SearchOutcome
    from trustgraph.queries.shared import SharedSearches

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


@dataclass(frozen=True, slots=True)
class AssumeReach:
    """One assume-role search: each node reached with the hops from the search's source, in the search's order, and
    its undecided hops (``source -> role: why``)."""

    reached: tuple[tuple[str, Path], ...]
    unknown: tuple[str, ...]

    @classmethod
    def of(cls, outcome: SearchOutcome) -> AssumeReach:
        """What a mixed search reads of one assume-role search."""
        return cls(tuple((node, outcome.path_to(state)) for node, state in outcome.first.items()),
                   tuple(f"{s[0]} -> {r}: {why}" for s, r, why in outcome.unknown_edges))


class AssumeReaches:
    """The assume-role search of each principal for the mixed searches, run once per options and kept (it does not
    depend on the mixed search's source); replayed from ``shared`` when given (see the module docstring), else run
    by ``engine.search`` (the reference). Owned by a :class:`~trustgraph.queries.graph_queries.GraphQueries`: the
    graph does not change under it."""

    def __init__(self, engine: ReachabilityEngine, shared: SharedSearches | None = None) -> None:
        self.engine = engine
        self.shared = shared
        self._reach: dict[tuple[str, QueryOptions], AssumeReach] = {}
        self.searches = 0  # assume-role searches of principals run (each once per options)

    def of(self, node: str, options: QueryOptions) -> AssumeReach:
        """The assume-role search from one principal (``options.via`` is ``assume``), kept."""
        key = (node, options)
        hit = self._reach.get(key)
        if hit is None:
            self.searches += 1
            outcome = (self.shared.search(node, options) if self.shared is not None
                       else self.engine.search(node, options))
            hit = self._reach[key] = AssumeReach.of(outcome)
        return hit


def mixed_search(engine: ReachabilityEngine, escalations: Escalations, label: str, starts: tuple[str, ...],
                 options: QueryOptions, *, outside_only: bool = False, reaches: AssumeReaches | None = None,
                 stop_at_admin: bool = False) -> MixedOutcome:
    """Every node the source reaches with both edge kinds (see the module docstring). ``reaches`` keeps the
    assume-role search of each principal between mixed searches (default: for this one only).

    ``stop_at_admin``: stop once every node at the length of the first ``admin:ACCOUNT`` settled is settled. Each
    node's hop count and path are final once nothing shorter is left to expand (an offer is never shorter than the
    node it comes from), so the admin nodes at that length, with their paths, are those of the whole search: all a
    query for one source's shortest administrator answer reads (:meth:`GraphQueries._mixed`). Other nodes, the
    undecided hops and refusals of the principals not expanded are then missing: a caller that reads them (an
    unreached target's reason) must not stop."""
    G = engine.G
    assume_options = replace(options, via="assume")
    reaches = reaches if reaches is not None else AssumeReaches(engine)
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

    def take(reach: AssumeReach, length: int, prev: str | None) -> None:
        unknown.extend(reach.unknown)
        for reached, sub in reach.reached:
            offer(reached, length + len(sub), prev, sub)

    if starts == (label,) and not outside_only and label in G:  # one principal: its kept search
        take(reaches.of(label, assume_options), 0, None)
    else:
        take(AssumeReach.of(engine.search(label, assume_options, outside_only=outside_only, starts=starts)), 0, None)
    for s in starts:
        counter += 1
        heapq.heappush(heap, (0, counter, s))
    expanded: set[str] = set()
    admin_at: int | None = None  # the length of the first admin node settled (stop_at_admin)
    while heap:
        length, _, node = heapq.heappop(heap)
        if admin_at is not None and length > admin_at:
            break
        if node in expanded or pred[node][0] != length:
            continue
        expanded.add(node)
        if node.startswith(ADMIN_PREFIX) and stop_at_admin and admin_at is None:
            admin_at = length
        if node.startswith(ADMIN_PREFIX) or node not in G or G.nodes[node]["kind"] not in ("user", "role"):
            continue
        if length:  # a principal obtained on the way: its own assume-role reach
            take(reaches.of(node, assume_options), length, node)
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


__all__ = ["AssumeReach", "AssumeReaches", "MixedOutcome", "admin_targets", "escalation_hop", "mixed_search",
           "result_of"]
