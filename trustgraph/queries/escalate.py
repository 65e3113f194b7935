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

Cost: a mixed search is a Dijkstra over the principals it obtains, O(P log P) for P principals, plus what it reads of
each one's assume-role search and escalation edges. :func:`layered_mixed_search` (the one queries run) reads a
principal obtained at length ``L`` only ``j`` hops deep when the search reaches length ``L + j``, and its escalation
edges at ``L + 1``: a search stopped at its shortest administrator answer, of length ``A``, reads ``A - L`` hops of
each (on wildcard ``sts:AssumeRole`` grants, a principal's first hop reaches a few roles, its whole search most of
the organization), and a whole search reads everything, as :func:`mixed_search` does (the reference). The
assume-role searches are kept per principal (the last few hundred read, :attr:`AssumeReaches.layered_kept`) and
advanced, their hops never decided again, by later mixed searches: together
O(P x (V + E')) in the worst case (every principal reaching every other, each read whole), every (state, candidate
hop) decided and its witness built once per options, O(V + E'), the rest a replay without asking or building
anything. A principal that obtains administrator power in one hop is answered without its search at all
(:class:`LengthOne`): from its escalation edges and its first hops into admin-equivalent roles, in the order the
search would offer them. Measured on ``trustgraph synth --profile random --seed 1`` at 2,000 roles (1,816
principals that may lead to an administrator, 803 with an escalation path of 1 to 3 hops): the privilege-escalation
check 24 CPU s with whole searches, 8 with searches read as deep as they go.

A search stopped at its shortest administrator answer reads each length's administrator offers first
(:attr:`AssumeReaches.admin_first`, :func:`_admin_offers`): the escalation edges waiting for that length, and the
admin-equivalent roles of the next depth of each assume-role search taken, peeked without advancing the search
(:func:`~trustgraph.queries.peek.peek_layer`: only the hops into those roles decided). When one of them offers
administrator power, that length is the answer's and the rest of it (every other hop of those depths) is never
decided; otherwise the length is read whole as before, its peeked hops not decided again. Same random organization:
the 91 queries answered at length 2 asked the engine 1,165 hop decisions, 426 with the peek (0.44 -> 0.17 CPU s);
the 11 at length 3, 166 -> 71.

Two more things a search stopped at its administrator answer leaves out, as they cannot change it. A principal that
a whole mixed search (not stopped, no bound on the hops) expanded when that search ended with no ``admin:`` node and
no undecided hop is *dead* (:meth:`AssumeReaches.dead`): everything it obtains was obtained and read there, so no
path from it leads to administrator power, and a node that does lead there is never offered by it. Later searches do
not expand it (``AssumeReaches.skip_dead``), and a query from it is answered at once (Unreachable, with its refused
methods). And once the answer's length ``A`` is known (an administrator offered at ``A`` among the admin-relevant
offers, or an ``admin:`` node settled), the principals of length ``A`` offer only what is longer, except the
``admin:`` node of an admin-equivalent one: they are expanded for that alone, and the escalation targets of that
length that are neither are not offered (``AssumeReaches.lean_last``). Offers to the nodes that remain are the same,
made in the same relative order, so the answer is the reference's field by field (both off,
``tests/checks/test_priv_dead.py``). ``random:3`` at 2,000 roles (499 queries answered at length 2, 486 Unreachable):
the searches warm (every hop decided) 0.91 -> 0.48 ms per length-2 query and 0.38 -> 0.12 ms per Unreachable one.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import count, islice
from typing import TYPE_CHECKING, ClassVar

from trustgraph.graph.escalation import ADMIN_PREFIX, EscalationEdge, Escalations, admin_node
from trustgraph.graph.nodes import graph_version
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness, Reach, ReachResult, export_locations
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.outcome import SearchOutcome
    from trustgraph.queries.peek import KeptHops
    from trustgraph.queries.shared import Replay, SharedSearches
    from trustgraph.smt.solve import Sat

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


@dataclass(frozen=True, slots=True)
class ReachedBy:
    """The hops of a principal's assume-role search to one node it reached, read when a path is rebuilt (most
    nodes offered by a mixed search are never on the path it reports)."""

    reach: LayeredReach
    node: str

    def hops(self) -> Path:
        """The search's shortest path to the node."""
        return self.reach.path(self.node)


@dataclass(frozen=True, slots=True)
class PeekedBy:
    """The hops of a principal's assume-role search to a node of the next depth found by :func:`~trustgraph.queries.
    peek.peek_layer` (the search not advanced): the search's path to the parent state, then the hop's witness, as
    the search's own path to the node would be once advanced (``SharedOutcome.path_to``)."""

    reach: LayeredReach
    parent: State
    state: State
    action: Action
    answer: Sat

    def hops(self) -> Path:
        """The search's shortest path to the node."""
        outcome = self.reach.outcome
        engine = getattr(outcome, "engine", None)
        assert engine is not None  # a replayed search's outcome (only replays are peeked)
        return (*outcome.path_to(self.parent), engine.witness(self.parent, self.state[0], self.action, self.answer))


Segment = tuple[HopWitness, ...] | EscalationEdge | ReachedBy | PeekedBy


@dataclass
class MixedOutcome:
    """What one mixed search found: for each node its hop count and predecessor (a node and the segment of hops
    from it: an assume-role path or one escalation edge), undecided hops (assume hops, and escalation methods whose
    permission question is undecided: :meth:`~trustgraph.graph.escalation.Escalations.undecided`), and refused
    methods."""

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
            if isinstance(seg, ReachedBy | PeekedBy):
                hops.extend(seg.hops())
            else:
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


class LayeredReach:
    """One assume-role search read one depth at a time: the nodes it first reaches ``j`` hops from its source, in
    the search's order (the order of :attr:`AssumeReach.reached`, whose hops are never fewer than an earlier node's),
    the search advanced only as deep as a reader asks (:class:`~trustgraph.queries.shared.Replay`), or whole when
    given as a finished outcome (``engine.search``, the reference)."""

    def __init__(self, outcome: SearchOutcome, replay: Replay | None = None) -> None:
        self.outcome = outcome
        self.replay = replay
        self._order: list[str] = []  # the nodes first reached, in order, as far as read
        self._depths: list[int] = []  # their hop counts (never decreasing)
        self._paths: dict[str, Path] = {}

    def _read(self, depth: int | None) -> None:
        if self.replay is not None:
            self.replay.advance(depth)
        first = self.outcome.first
        if len(first) > len(self._order):
            visits = self.outcome.visits
            for node, state in islice(first.items(), len(self._order), None):
                self._order.append(node)
                self._depths.append(visits[state].depth)

    def layer(self, depth: int) -> tuple[range, list[str]]:
        """The nodes first reached ``depth`` hops from the source, in order, with their positions in the order of
        every node reached."""
        self._read(depth)
        lo, hi = bisect_left(self._depths, depth), bisect_right(self._depths, depth)
        return range(lo, hi), self._order[lo:hi]

    def deeper(self, depth: int) -> bool:
        """Whether some node may be first reached more than ``depth`` hops from the source (after reading
        ``layer(depth)``)."""
        if self._depths and self._depths[-1] > depth:  # read already (another reader went deeper)
            return True
        return self.replay is not None and not self.replay.done

    def path(self, node: str) -> Path:
        """The hops from the source to ``node`` (a node of a layer read)."""
        hit = self._paths.get(node)
        if hit is None:
            hit = self._paths[node] = self.outcome.path_to(self.outcome.first[node])
        return hit

    def admin_layer(self, depth: int, kept: KeptHops) -> list[tuple[int, str, Segment]]:
        """The nodes of ``kept.roles`` first reached ``depth`` hops from the source (the layer before read), in
        order, each with an ordering position and its segment: read from :meth:`layer` when the search already went
        that deep (or is whole), else peeked without advancing it (:func:`~trustgraph.queries.peek.peek_layer`:
        only the hops into those roles decided; positions then count the kept nodes only, which orders them among
        themselves as the whole layer does)."""
        replay = self.replay
        if replay is not None:
            from trustgraph.queries.peek import peek_layer

            peeked = peek_layer(replay, kept, depth)
            if peeked is not None:
                return [(i, node, PeekedBy(self, parent, state, action, answer))
                        for i, (node, state, parent, action, answer) in enumerate(peeked)]
        positions, nodes = self.layer(depth)
        roles = kept.roles
        return [(p, n, ReachedBy(self, n)) for p, n in zip(positions, nodes, strict=True) if n in roles]

    def unknown(self, whole: bool = True) -> list[str]:
        """The search's undecided hops (``source -> role: why``): of the whole search, or (``whole`` False) of the
        depths read so far."""
        if whole:
            self._read(None)
        return [f"{s[0]} -> {r}: {why}" for s, r, why in self.outcome.unknown_edges]


class AssumeReaches:
    """The assume-role search of each principal for the mixed searches, run once per options and kept (it does not
    depend on the mixed search's source); replayed from ``shared`` when given (see the module docstring), else run
    by ``engine.search`` (the reference). Owned by a :class:`~trustgraph.queries.graph_queries.GraphQueries`: the
    graph does not change under it.

    At most :attr:`layered_kept` of the searches read one depth at a time (:meth:`layered`) are kept, the least
    recently read dropped first: each holds its replay's states, parents and queue, and, kept for every principal,
    they grew the scan process over the roles' privilege-escalation queries (20,000 roles, random:3, ~12,400 searches:
    756 -> 915 MB over its shared tasks; 756 -> 877 MB with 256 kept, 64 keep no less, for the same CPU; random:1
    722 -> 832 MB, 722 -> 800 MB). A search read again after it was dropped is replayed again from the shared
    searches, whose hops are decided, and their witnesses built, once whatever the replays (without ``shared``, run
    again by ``engine.search``): the same states, order, witnesses and undecided hops, so the same answers
    (``tests/checks/test_layered_kept.py``)."""

    #: the searches read one depth at a time kept (None: every one, as before); the answers do not depend on it
    layered_kept: ClassVar[int | None] = 256

    def __init__(self, engine: ReachabilityEngine, shared: SharedSearches | None = None, *,
                 admin_first: bool = True, skip_dead: bool = True, lean_last: bool = True) -> None:
        self.engine = engine
        self.shared = shared
        #: True: a principal that a whole mixed search expanded without finding administrator power or an undecided
        #: hop (:meth:`dead`) is not expanded again by a search stopped at its administrator answer, and such a
        #: search from it is answered at once (:func:`layered_mixed_search`); False: every search expands every
        #: principal it obtains (the reference, ``tests/checks/test_priv_dead.py``)
        self.skip_dead = skip_dead
        #: True: a search stopped at its administrator answer, once it knows that answer's length (an administrator
        #: offered there, or one settled), expands the other principals of that length only for the ``admin:`` node
        #: an admin-equivalent one offers, without taking their assume-role searches or their escalation edges,
        #: which offer only longer paths (:func:`layered_mixed_search`); False: expanded as any other (the
        #: reference, ``tests/checks/test_priv_dead.py``)
        self.lean_last = lean_last
        #: per query options: the escalation edges the principals were found dead with, and those principals
        self._dead: dict[QueryOptions, tuple[Escalations, set[str]]] = {}
        self.answered_dead = 0  # searches answered at once (their source dead)
        self.skipped_dead = 0  # principals a search did not expand (dead)
        self.lean_expanded = 0  # principals of an answer's length expanded for their admin: node alone
        #: True: a mixed search stopped at its shortest administrator answer reads, at each length, the
        #: admin-relevant offers first (escalation edges, and the admin-equivalent roles of the searches' next
        #: depths, peeked: :meth:`LayeredReach.admin_layer`) and the rest of that length only when none offers
        #: administrator power there; False: every layer read whole (the reference,
        #: ``tests/checks/test_priv_admin_first.py``)
        self.admin_first = admin_first
        self._kept: KeptHops | None = None
        self.peeked = 0  # lengths answered from the admin-relevant offers alone
        self._reach: dict[tuple[str, QueryOptions], AssumeReach] = {}
        self._layered: dict[tuple[str, QueryOptions], LayeredReach] = {}
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

    def dead(self, options: QueryOptions, escalations: Escalations) -> set[str] | None:
        """The principals known to obtain no administrator power under ``options`` and ``escalations`` (None when
        :attr:`skip_dead` is off or ``options`` bound the hops): those a mixed search expanded that ended with no
        ``admin:`` node, no undecided hop, and nothing left to expand. Each such principal's own search is part of
        that one (everything it obtains was obtained and expanded there, its assume-role search and everything after
        read whole), so it would end the same way: no administrator, no undecided hop; and a principal it obtains is
        dead too. Filled by :func:`layered_mixed_search`."""
        if not self.skip_dead or options.max_hops is not None:
            return None
        hit = self._dead.get(options)
        if hit is None or hit[0] is not escalations:
            hit = self._dead[options] = (escalations, set())
        return hit[1]

    def kept(self) -> KeptHops:
        """The hops into admin-equivalent principals with an account (those that offer ``admin:ACCOUNT``), found in
        hop lists (:class:`~trustgraph.queries.peek.KeptHops`), made on first use."""
        if self._kept is None:
            from trustgraph.queries.peek import KeptHops

            self._kept = KeptHops(frozenset(
                n for n, d in self.engine.G.nodes(data=True)
                if d["kind"] in ("user", "role") and d.get("admin_kind") == "admin" and d.get("account")))
        return self._kept

    def layered(self, node: str, options: QueryOptions) -> LayeredReach:
        """The assume-role search from one principal, read one depth at a time and kept: replayed from ``shared``
        as deep as it is read, or run whole by ``engine.search`` without it."""
        key = (node, options)
        layered = self._layered
        hit = layered.get(key)
        kept = self.layered_kept
        if hit is not None and kept is not None:
            layered[key] = layered.pop(key)  # the most recently read last
        if hit is None:
            if kept is not None and len(layered) >= kept:
                del layered[next(iter(layered))]  # the least recently read
            self.searches += 1
            if self.shared is not None:
                from trustgraph.queries.shared import Replay

                replay = Replay(self.shared, node, options)
                hit = LayeredReach(replay.outcome, replay)
            else:
                hit = LayeredReach(self.engine.search(node, options))
            self._layered[key] = hit
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
    undecided: list[str] = []  # the undecided escalation methods of the principals expanded
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
        if options.max_hops is None or length < options.max_hops:  # an undecided method is a hop not taken
            undecided.extend(escalations.undecided(node))
        if G.nodes[node].get("admin_kind") == "admin":  # admin-equivalents get there by an escalation edge
            acct = G.nodes[node].get("account")
            if acct:
                offer(admin_node(acct), length, node, ())
    refused = {s: escalations.refused(s) for s in starts if s in G and G.nodes[s]["kind"] in ("user", "role")}
    return MixedOutcome(label, pred, unknown + undecided, refused)


def layered_mixed_search(engine: ReachabilityEngine, escalations: Escalations, label: str, starts: tuple[str, ...],
                         options: QueryOptions, *, outside_only: bool = False, reaches: AssumeReaches | None = None,
                         stop_at_admin: bool = False) -> MixedOutcome:
    """:func:`mixed_search`'s answer (the same nodes, hop counts, paths and, when it searches everything, undecided
    hops), with each principal's assume-role search and escalation edges read only as deep as the search goes: the
    nodes ``j`` hops into a principal's assume-role search are offered, and its escalation edges computed, when the
    search reaches length ``L + j`` (``L + 1``) for a principal obtained at length ``L``, not when the principal is
    obtained. A search stopped at its first administrator length ``A`` so reads ``A - L`` hops of each principal's
    search instead of all of it (on wildcard ``sts:AssumeRole`` grants: a few roles instead of most of the
    organization, for each principal obtained on the way).

    Every offer carries the key of the moment :func:`mixed_search` makes it (the order the offering principal was
    expanded in, then its assume-role search's order, its escalation edges' order, its administrator offer), and a
    node keeps the offer with the fewest hops, then the least key: the offer :func:`mixed_search` keeps, the first
    of the fewest hops. Every offer of a length is made before the first node of that length is expanded (an offer
    waiting for its length sorts before the nodes of that length), so nodes are expanded in :func:`mixed_search`'s
    order, from the same predecessors."""
    G = engine.G
    assume_options = replace(options, via="assume")
    reaches = reaches if reaches is not None else AssumeReaches(engine)
    pred: dict[str, tuple[int, str | None, Segment]] = {s: (0, None, ()) for s in starts}
    Key = tuple[int, int, int]  # (expansion order of the offering node, kind of offer, position)
    keys: dict[str, Key] = {s: (-1, 3, i) for i, s in enumerate(starts)}
    # (length, 0 waiting offers | 1 node, key, tie, what): waiting offers are a search's layer or escalation edges
    heap: list[tuple[int, int, Key, int, str | tuple[LayeredReach, int, str | None]]] = []
    ties = count()
    taken: list[LayeredReach] = []
    undecided: list[str] = []  # the undecided escalation methods of the principals whose edges were read

    def offer(node: str, length: int, key: Key, prev: str | None, seg: Segment) -> None:
        if options.max_hops is not None and length > options.max_hops:
            return
        old = pred.get(node)
        if old is not None and (old[0], keys[node]) <= (length, key):
            return
        pred[node], keys[node] = (length, prev, seg), key
        heapq.heappush(heap, (length, 1, key, next(ties), node))

    def take(reach: LayeredReach, length: int, order: int, prev: str | None) -> None:
        taken.append(reach)
        heapq.heappush(heap, (length + 1, 0, (order, 0, 1), next(ties), (reach, length, prev)))

    single = starts == (label,) and not outside_only and label in G
    dead = reaches.dead(options, escalations)
    skip = dead if stop_at_admin else None  # a search read whole for every node (not stopped) expands every one
    if skip is not None and single and label in skip:  # its search would expand what an earlier one expanded
        reaches.answered_dead += 1
        kind = G.nodes[label]["kind"]
        return MixedOutcome(label, pred, [], {label: escalations.refused(label)} if kind in ("user", "role") else {})
    if single:  # one principal: its kept search
        take(reaches.layered(label, assume_options), 0, -1, None)
    else:
        take(LayeredReach(engine.search(label, assume_options, outside_only=outside_only, starts=starts)), 0, -1,
             None)
    for i, s in enumerate(starts):
        heapq.heappush(heap, (0, 1, (-1, 3, i), next(ties), s))
    expanded: set[str] = set()
    order = count()  # expansion order of the nodes
    admin_at: int | None = None  # the length of the first admin node settled (stop_at_admin)
    def waiting(length: int, key: Key, what: str | tuple[LayeredReach, int, str | None]) -> None:
        """Make the offers of one waiting item of ``length``: a principal's escalation edges or a search's layer."""
        if isinstance(what, str):  # a principal's escalation edges (its undecided methods: hops not taken)
            for i, edge in enumerate(escalations.edges_from(what)):
                offer(edge.target, length, (key[0], 1, i), what, edge)
            undecided.extend(escalations.undecided(what))
            return
        reach, base, prev = what
        depth = length - base
        positions, nodes = reach.layer(depth)
        for position, reached in zip(positions, nodes, strict=True):
            offer(reached, length, (key[0], 0, position), prev, ReachedBy(reach, reached))
        if reach.deeper(depth):
            heapq.heappush(heap, (length + 1, 0, (key[0], 0, depth + 1), next(ties), what))

    first = stop_at_admin and reaches.admin_first and reaches.shared is not None
    lean = stop_at_admin and reaches.lean_last
    last: int | None = None  # the length of the answer, once known (lean)
    while heap:
        length, kind, key, _, what = heapq.heappop(heap)
        if admin_at is not None and length > admin_at:
            break
        if kind == 0:  # offers waiting for this length
            if options.max_hops is not None and length > options.max_hops:
                continue
            if not first:
                waiting(length, key, what)
                continue
            batch = [(key, what)]  # every item waiting for this length (they sort before its nodes)
            while heap and heap[0][0] == length and heap[0][1] == 0:
                batch.append((heap[0][2], heapq.heappop(heap)[4]))
            if not _admin_offers(batch, length, escalations, reaches.kept(), offer, lean):
                for k, w in batch:
                    waiting(length, k, w)
            else:
                undecided.extend(u for _, w in batch if isinstance(w, str) for u in escalations.undecided(w))
                reaches.peeked += 1
                last = length if lean else None  # an administrator is offered here: the answer's length
            continue
        assert isinstance(what, str)
        node = what
        if node in expanded or pred[node][0] != length or keys[node] != key:
            continue
        expanded.add(node)
        at = next(order)
        if node.startswith(ADMIN_PREFIX) and stop_at_admin and admin_at is None:
            admin_at = length
            last = length if lean else None
        if node.startswith(ADMIN_PREFIX) or node not in G or G.nodes[node]["kind"] not in ("user", "role"):
            continue
        data = G.nodes[node]
        if last == length:
            # the answer's length: what this node offers is longer, except the admin: node of an admin-equivalent
            reaches.lean_expanded += 1
            if data.get("admin_kind") == "admin" and data.get("account"):
                offer(admin_node(data["account"]), length, (at, 2, 0), node, ())
            continue
        if skip is not None and length and node in skip:
            # dead: what it offers is dead too (no admin: node, no path to one), so no node that leads to
            # administrator power is offered by it, and the nodes that do are expanded in the same relative order
            reaches.skipped_dead += 1
            continue
        if length:  # a principal obtained on the way: its own assume-role reach
            take(reaches.layered(node, assume_options), length, at, node)
        heapq.heappush(heap, (length + 1, 0, (at, 1, 0), next(ties), node))
        if data.get("admin_kind") == "admin":  # admin-equivalents get there by an escalation edge
            acct = data.get("account")
            if acct:
                offer(admin_node(acct), length, (at, 2, 0), node, ())
    whole = admin_at is None  # not stopped: every search taken is read whole for its undecided hops
    unknown = [u for reach in taken for u in reach.unknown(whole)] + undecided
    if dead is not None and whole and not unknown and not any(n.startswith(ADMIN_PREFIX) for n in pred):
        # nothing left to expand, no administrator, nothing undecided: every principal expanded is dead (a start
        # only when it is the one principal searched from, whose own assume-role search was the one taken)
        dead.update(n for n in expanded if n in G and G.nodes[n]["kind"] in ("user", "role")
                    and (single or n not in starts))
    refused = {s: escalations.refused(s) for s in starts if s in G and G.nodes[s]["kind"] in ("user", "role")}
    return MixedOutcome(label, pred, unknown, refused)


def _admin_offers(batch: list[tuple[tuple[int, int, int], str | tuple[LayeredReach, int, str | None]]], length: int,
                  escalations: Escalations, kept: KeptHops,
                  offer: Callable[[str, int, tuple[int, int, int], str | None, Segment], None],
                  lean: bool = False) -> bool:
    """The admin-relevant offers of the items waiting for ``length`` (:attr:`AssumeReaches.admin_first`): each
    principal's escalation edges and the admin-equivalent principals of each search's layer. When one of them offers
    administrator power at this length (an edge to ``admin:ACCOUNT``, or an admin-equivalent principal, which offers
    its ``admin:`` node at the length it is obtained), make these offers and return True: no administrator is
    obtained at a shorter length (the search has not stopped), so the search's answer is at this length, and the
    other nodes first obtained here offer only what is one hop longer, which a search stopped at this length never
    reads (and no ``admin:`` node: they hold no administrator power); with ``lean`` (:attr:`AssumeReaches.
    lean_last`) they are not offered at all, only the ``admin:`` nodes and the admin-equivalent principals (a node's
    offers are its own: leaving others out changes no offer made to these). Return False (nothing offered, the
    layers' other hops not decided) otherwise. Offers are keyed as :func:`layered_mixed_search` keys them; a
    layer's peeked nodes are positioned among themselves in the layer's order, all that a key compares them with."""
    roles = kept.roles
    found: list[tuple[str, tuple[int, int, int], str | None, Segment]] = []
    admin = False
    for key, what in batch:
        if isinstance(what, str):
            for i, edge in enumerate(escalations.edges_from(what)):
                found.append((edge.target, (key[0], 1, i), what, edge))
                admin = admin or edge.target.startswith(ADMIN_PREFIX) or edge.target in roles
            continue
        reach, base, prev = what
        for position, node, seg in reach.admin_layer(length - base, kept):
            found.append((node, (key[0], 0, position), prev, seg))
            admin = True
    if not admin:
        return False
    for node, key, prev, seg in found:
        if not lean or node.startswith(ADMIN_PREFIX) or node in roles:
            offer(node, length, key, prev, seg)
    return True


#: :meth:`LengthOne.result`'s answer for a principal whose shortest administrator path is one assume hop
BY_ASSUMING = "by assuming a role"


class LengthOne:
    """The shortest administrator answer of a principal that obtains administrator power in one hop, found without
    its assume-role search: :meth:`result` answers what ``GraphQueries.query(principal, "admin", via="all")``
    answers, field by field, or tells that its path is one assume hop (:data:`BY_ASSUMING`: what the
    privilege-escalation check skips), or None (the query must be asked).

    A principal without administrator power of its own reaches ``admin:ACCOUNT`` nodes at length 1 only through its
    escalation edges (IAM calls stay in its account, ``OWN``: an edge to ``admin:OWN``, or to an admin-equivalent
    principal, ``admin_kind`` ``admin``, which offers ``admin:OWN``) and through the admin-equivalent roles its own
    assume hops reach. The answer is the first target of :func:`admin_targets`' order reached, every path one hop
    long. For ``admin:OWN`` the offers are ordered as :func:`layered_mixed_search` orders them: an edge to ``admin:OWN``
    first (the source's own offer), then the admin-equivalent roles reached by assuming (its assume-role search's
    layer, expanded before its escalation targets), then the first escalation edge to an admin-equivalent principal.
    So with an edge to ``admin:OWN`` the answer is that edge unless an assume hop reaches an admin-equivalent role of
    an account whose ``admin:`` node sorts before ``OWN``; with an edge to an admin-equivalent principal only, unless
    one reaches such a role of an account sorting before or equal to ``OWN``; and without either, any assume hop to
    an admin-equivalent role makes the answer one assume hop. Only the principal's first hops into those roles are
    decided (``engine.decide``, the memo the searches read), stopping at the first Sat one; its other hops are not.
    When no such hop is Sat and no escalation edge gives length 1, None.

    The hops are listed as a search from the principal lists its first hops (its candidates with the identity filter,
    the query's action filter). The reference is the query itself (``PrivilegeEscalation(length_one=False)``,
    ``tests/checks/test_priv_length_one.py``)."""

    def __init__(self, engine: ReachabilityEngine, escalations: Escalations) -> None:
        self.engine = engine
        self.G = engine.G
        self.escalations = escalations
        self.answered = 0  # principals answered with an escalation path
        self.assuming = 0  # principals answered BY_ASSUMING
        self.decided = 0  # hops decided here
        #: (graph version, role -> the ``admin:`` node of its account, for the admin-equivalent roles): what
        #: :meth:`_assumes_admin` reads of a candidate's attributes, read once per graph, not per (principal,
        #: candidate) (random:2 at 20,000 roles: 4.8M candidates of 16,485 principals, ~2% of them admin-equivalent)
        self._admins: tuple[int, dict[str, str]] | None = None

    def result(self, node: str, options: QueryOptions) -> ReachResult | str | None:
        """The query's answer for ``node``, :data:`BY_ASSUMING`, or None (see the class docstring)."""
        if options.max_hops is not None and options.max_hops < 1:
            return None
        nodes = self.G.nodes
        data = nodes[node]
        account = data.get("account")
        if not account or data.get("admin_kind") == "admin" or data["kind"] not in ("user", "role"):
            return None
        own = admin_node(account)
        direct: EscalationEdge | None = None
        via: EscalationEdge | None = None
        for e in self.escalations.edges_from(node):
            if e.target == own:
                direct = e
                break
            if via is None and e.target in nodes and nodes[e.target].get("admin_kind") == "admin":
                via = e
        assume_options = replace(options, via="assume")
        if self._assumes_admin(node, assume_options, own if direct is not None or via is not None else None,
                               direct is None):
            self.assuming += 1
            return BY_ASSUMING
        if direct is not None:
            pred: dict[str, tuple[int, str | None, Segment]] = {node: (0, None, ()), own: (1, node, direct)}
        elif via is not None:
            pred = {node: (0, None, ()), via.target: (1, node, via), own: (1, via.target, ())}
        else:
            return None
        self.answered += 1
        return result_of(MixedOutcome(node, pred, [], {}), own, False)

    def _assumes_admin(self, node: str, options: QueryOptions, bound: str | None, or_equal: bool) -> bool:
        """Whether a first hop of ``node`` is Sat into an admin-equivalent role whose ``admin:`` node sorts before
        ``bound`` (or equal to it, ``or_equal``; any, when ``bound`` is None)."""
        from trustgraph.smt.solve import Sat

        engine = self.engine
        extra = engine.source_constraints(node, outside_only=False)
        if extra is None:
            return False
        wanted = options.action
        admins = self._admin_targets()
        hops: list[tuple[str, Action]] = []
        for role, data in engine.candidates.lazy_candidates(node):
            target = admins.get(role)
            if target is None or role == node:
                continue
            if bound is not None and not (target < bound or (or_equal and target == bound)):
                continue
            if data.get("identity_required") and data.get("via_hub") and not engine.candidates.may_assume(node, role):
                continue
            action = Action(data["action"])
            if wanted is not None and action is not wanted:
                continue
            hops.append((role, action))
        if not hops:
            return False
        for state in engine.start_states(node):
            for role, action in hops:
                self.decided += 1
                if isinstance(engine.decide(state, role, action, options, extra), Sat):
                    return True
        return False


    def _admin_targets(self) -> dict[str, str]:
        """Each admin-equivalent node (``admin_kind`` ``admin``) -> the ``admin:`` node of its account (kept per
        graph version: a tool may change the graph)."""
        version = graph_version(self.G)
        if self._admins is None or self._admins[0] != version:
            self._admins = (version, {n: admin_node(d.get("account") or "") for n, d in self.G.nodes(data=True)
                                      if d.get("admin_kind") == "admin"})
        return self._admins[1]


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


__all__ = ["BY_ASSUMING", "AssumeReach", "AssumeReaches", "LayeredReach", "LengthOne", "MixedOutcome", "ReachedBy",
           "admin_targets", "escalation_hop", "layered_mixed_search", "mixed_search", "result_of"]
