"""Who reaches one role: a backward search from the role, then forward searches pruned to what can lead to it.

A forward search from every source (what a query for one target over many sources used to do) decides every hop out of
every state those sources reach, although most of them lead nowhere near the target. This module walks the graph's
in-edges from the target instead (hubs expanded to their members, :meth:`ReachabilityEngine.in_candidates`) and
decides only the hops into roles that can lead to the target:

1. **Backward closure.** A caller state *reaches* the target when one of its hops into a role is Sat and lands in a
   state that reaches it (the target's states reach it); it *may* reach it when such a hop lands in a state that may
   reach it, or when a hop into a role with a state that reaches or may reach it is Unknown. Hops are decided by
   :meth:`ReachabilityEngine.solve` with the same memo keys as the forward search, so the later step reuses them. A
   role is examined again when one of its states gets a higher status (at most four times). A role's session with
   MFA is tried as a caller only when an IAM user or a symbolic AWS source is among the role's in-candidates.
2. **Pruned forward searches.** Each source that may reach the target (a node some examined role lists as an
   in-candidate and whose start states reach or may reach it) is searched forward exactly as before, but from each
   node only along its candidates into examined roles, in the node's own candidate order. Every state on a forward
   path to the target reaches the target, and its first parent in the breadth-first order does too (a Sat hop into
   a state that reaches the target), so the states the pruned search drops never precede a kept one: the pruned
   search visits the kept states in the same order, with the same parents, and finds the same shortest path with
   the same witnesses as the unpruned one.

3. **Shortest-path layers.** A source that reaches the target is not searched over everything the closure holds: a
   breadth-first pass backwards over the decided hops (:func:`distances`) gives every role state its number of hops
   to the target, and the source's search (:meth:`Layers.search`) visits only the states whose depth plus that
   number is at most the source's own distance. Those are the states on its shortest paths (and, at worst, a few
   more), and the first parent of each of them in breadth-first order is one of them too (a parent of a state on a
   shortest path at the previous depth lies on one), so the search finds the same path with the same witnesses,
   at a cost in the size of the shortest paths instead of the size of the closure. A query for one role is then
   one backward pass over memoised hop answers plus a walk per source: O(closure + sources x path) instead of
   O(sources x closure). :mod:`trustgraph.queries.reverse` goes one step further and reads each source's path off
   the distances without a search per source (``GraphQueries.reverse``); these layered searches answer the queries it
   leaves (a hop limit, a hop into a carried state), and the reference both are tested against is the search over
   the whole closure.

Carried facts: when the estate reads a source identity or principal tags a session can carry
(:mod:`trustgraph.queries.carry`), a hop refused to a session that carries nothing may be allowed to one that does,
so such a refused hop into a role that reaches or may reach the target counts as "may" (the pruning keeps it, the
forward search decides it), and the shortest-path layers, which know only sessions that carry nothing, are not
used for such an estate. Elsewhere a session that carries something can only be refused more than one that does
not (it must be allowed sts:SetSourceIdentity / sts:TagSession), so the layers never prune it and stay complete.

Undecided hops: the unpruned search answered "unknown" for a source that does not reach the target when it met any
undecided hop into an ancestor of the target in the graph; the pruned one meets only the undecided hops into roles
that reach or may reach the target through decided and undecided hops, so a source whose every undecided route ends
at a proven-blocked hop is now (soundly) not listed. Without undecided hops the answers are the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.queries.engine import ReachabilityEngine, SearchOutcome, State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.smt.solve import KeyConstraint

REACHES = 2
MAYBE = 1
#: an edge's action text -> the action (a dictionary lookup: the closure reads it for every in-candidate)
ACTION_BY_TEXT = {a.value: a for a in Action}
#: rows a :class:`ClosureCache` holds before it starts again (each row and its out entry ~200 bytes: ~40 MB)
ROW_LIMIT = 200_000
#: one in-candidate of a role as the closure reads it (:meth:`ClosureCache.role_rows`)
Row = tuple[str, dict[str, Any], tuple[int, int], Action, str, "tuple[State, ...] | None"]
#: one entry of a listed closure (:meth:`ClosureCache.entries`): caller state (None: a caller that is not a role),
#: node, what its hop gives (the state it lands in, MAYBE, or None: read when taken) and (action, action text)
Entry = tuple["State | None", str, "State | int | None", "tuple[Action, str] | None"]


@dataclass
class Backward:
    """What the backward closure from one target found.

    Attributes
    ----------
    target
        The role searched to.
    status
        Caller state -> :data:`REACHES` or :data:`MAYBE` (states absent: cannot reach the target).
    sources
        Nodes that may reach the target as a start of a search (a superset of those that do).
    examined
        The roles whose in-candidates the closure walked.
    cache
        The :class:`ClosureCache` the closure read its rows from.
    """

    target: str
    cache: ClosureCache
    status: dict[State, int] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    examined: set[str] = field(default_factory=set)
    _successors: dict[str, list[tuple[tuple[int, int], str, dict[str, Any]]]] = field(default_factory=dict)

    def successors(self, node: str) -> list[tuple[tuple[int, int], str, dict[str, Any]]]:
        """``node``'s candidates into examined roles, (order key, role, edge data) in the node's candidate order
        (computed when first asked).

        A node's out rows list only roles whose rows the cache built, and every examined role's rows are built, so
        when the cache holds as many roles as the closure examined (a hub's closure over a strongly connected
        organization examines every role the cache knows: random:5 at 2,000 roles, ~1,990 nodes per query) nothing
        is filtered out and the list is a copy of the out rows (a copy: the cache's list grows with later queries'
        rows, and the copy is kept with the hops joined over it, ``reverse_carried.HopStore``), without a membership
        test per entry; the same list (``tests/queries/test_closure_successors.py``)."""
        found = self._successors.get(node)
        if found is None:
            cache = self.cache
            out = cache.out_of(node)
            examined = self.examined
            if len(cache.rows) == len(examined):  # examined is a subset of the built roles: here, all of them
                found = list(out)
            else:
                found = [e for e in out if e[1] in examined]
            self._successors[node] = found
        return found

    def candidates(self, node: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """The pruned candidate list of ``node`` (for :meth:`ReachabilityEngine.search`)."""
        return [(role, data) for _, role, data in self.successors(node)]


class ClosureCache:
    """What the backward closures over one engine share across queries (held by the caller, e.g. a ``GraphQueries``,
    for the engine's life): each role's in-candidates as rows the closure reads (node, edge data, order key,
    action, whether the node is a role), each node's kind, whether a role's session with MFA is possible, and each
    hop's decision as the closure reads it (Sat and the MFA it produces, Unknown, or neither), per query options.

    Every entry is a pure function of the graph and of the engine's memoised answers (a hop is decided at the same
    point of the same closure as without the cache: only the first time it is asked, later ones read what that gave),
    so a closure built with it is the one built without it; it is dropped when the graph's version changes."""

    def __init__(self, engine: ReachabilityEngine) -> None:
        from trustgraph.graph.nodes import graph_version

        self.engine = engine
        self.version = graph_version(engine.G)
        #: role -> its in-candidates as (node, edge data, order key, action, action text, the node's caller states
        #: when it is a role, else None)
        self.rows: dict[str, tuple[Row, ...]] = {}
        #: role -> its in-candidates that are roles, as (node, action): the hops walk_distances reads
        self.into: dict[str, tuple[tuple[str, Action], ...]] = {}
        #: node -> (order key, role, edge data) for every role whose rows were built, and whether it needs sorting
        self.out_rows: dict[str, list[tuple[tuple[int, int], str, dict[str, Any]]]] = {}
        self.unsorted: set[str] = set()
        self.kinds: dict[str, str] = {}
        self.role_states: dict[str, tuple[State, ...]] = {}
        #: node -> its start states (:meth:`ReachabilityEngine.start_states`: a function of the node and the engine),
        #: read for every caller that is not a role each time a listed closure reads its entry
        self.starts: dict[str, tuple[State, ...]] = {}
        #: options -> (state, role, action text, first-hop constraints) -> None (not Sat, not Unknown), MAYBE
        #: (Unknown) or (the MFA the Sat hop produces,); and -> the other MFA outcome's (produced or None)
        self.hops: dict[QueryOptions, dict[tuple[Any, ...], Any]] = {}
        self.flipped: dict[QueryOptions, dict[tuple[Any, ...], bool | None]] = {}
        self.flips: dict[tuple[str, str], bool] = {}
        #: options -> role -> its entries for a listed closure (:meth:`entries`), or None for a role examined
        #: before whose entries are built when it is next examined
        self.lists: dict[QueryOptions, dict[str, list[Entry] | None]] = {}
        self.size = 0  # rows held

    def fresh(self) -> ClosureCache:
        """This cache, or a new one when the graph changed under it (graph.nodes.bump_version) or it holds more than
        :data:`ROW_LIMIT` rows (memory stays bounded on a large estate: a later closure reads the engine's
        memoised in-candidate lists and hop answers again, at the cost of building its rows anew)."""
        from trustgraph.graph.nodes import graph_version

        if graph_version(self.engine.G) == self.version and self.size <= ROW_LIMIT:
            return self
        return ClosureCache(self.engine)

    def kind(self, node: str) -> str:
        kind = self.kinds.get(node)
        if kind is None:
            kind = self.kinds[node] = self.engine.G.nodes[node]["kind"]
        return kind

    def states_of(self, role: str) -> tuple[State, ...]:
        """A role's caller states: its session with MFA only when one is possible: some IAM user (when MFA matters
        to the estate: only then do users start with MFA) or symbolic AWS caller is one of its in-candidates. A
        session that is never produced only costs hops here; the forward searches never visit it."""
        cached = self.role_states.get(role)
        if cached is None:
            engine = self.engine
            possible = engine.candidates.mfa_session_possible(role, engine.mfa_sensitive)
            cached = self.role_states[role] = ((role, False), (role, True)) if possible else ((role, False),)
        return cached

    def role_rows(self, role: str) -> tuple[Row, ...]:
        """The rows of ``role`` (built when first asked; each node's out rows gain them)."""
        rows = self.rows.get(role)
        if rows is None:
            # :meth:`kind` and :meth:`states_of` looked up in the loop (a hub's rows are ~1,800 members), the same
            # rows, out rows and caches as calling them
            role_kind = NodeKind.ROLE.value
            built: list[Row] = []
            kinds, role_states, out_rows, unsorted = self.kinds, self.role_states, self.out_rows, self.unsorted
            for u, data, key in self.engine.in_candidates(role):
                text = data["action"]
                kind = kinds.get(u)
                if kind is None:
                    kind = self.kind(u)
                states = None
                if kind == role_kind:
                    states = role_states.get(u)
                    if states is None:
                        states = self.states_of(u)
                built.append((u, data, key, ACTION_BY_TEXT[text], text, states))
                out = out_rows.get(u)
                if out is None:
                    out = out_rows[u] = []
                out.append((key, role, data))
                unsorted.add(u)
            rows = self.rows[role] = tuple(built)
            self.size += len(rows)
            self.into[role] = tuple((u, action) for u, _, _, action, _, states in rows if states is not None)
        return rows

    def entries(self, role: str, hops: dict[tuple[Any, ...], Any], refused: bool = False) -> list[Entry]:
        """The rows of ``role`` as a listed closure reads them (``hops``: the cache's hop outcomes under the query's
        options), in the rows' order: per caller state of a role caller, (state, node, the state its Sat hop lands
        in, None), (state, node, :data:`MAYBE`, None) for an Unknown hop, (state, node, None, (action, action
        text)) for a hop not decided yet, nothing for a hop that is neither Sat nor Unknown (it gives nothing when
        no carried value is demanded); a caller that is not a role: (None, node, None, (action, action text)).

        ``refused`` (carried values demanded, ``GraphQueries.listed_refused``): a hop that is neither Sat nor Unknown
        is listed as (state, node, :data:`MAYBE`, None). The walk gives such a hop ``min(MAYBE, best status of the
        role)``, and a role is examined only once one of its states has a status (the target's are REACHES, any
        other role is queued when a state of it gains one, never lower than MAYBE), so it gives exactly MAYBE."""
        landed = ((role, False), (role, True))
        built: list[Entry] = []
        for u, _, _, action, text, states in self.role_rows(role):
            if states is None:
                built.append((None, u, None, (action, text)))
                continue
            for state in states:
                shape = hops.get((state, role, text, ()), hops)
                if shape is hops:
                    built.append((state, u, None, (action, text)))
                elif shape == MAYBE or (shape is None and refused):
                    built.append((state, u, MAYBE, None))
                elif shape is not None:
                    built.append((state, u, landed[shape[0]], None))
        return built

    def out_of(self, node: str) -> list[tuple[tuple[int, int], str, dict[str, Any]]]:
        """(order key, role, edge data) of every role whose rows list ``node``, in ``node``'s candidate order."""
        out = self.out_rows.get(node, [])
        if node in self.unsorted:
            out.sort(key=lambda item: item[0])  # an edge's order key is unique among the node's candidates
            self.unsorted.discard(node)
        return out


def backward_closure(
    engine: ReachabilityEngine,
    target: str,
    options: QueryOptions,
    *,
    outside_only: bool = False,
    starts: frozenset[str] | None = None,
    cache: ClosureCache | None = None,
    lean: bool = False,
    listed: bool = False,
    refused: bool = False,
) -> Backward:
    """The states that reach or may reach ``target`` and the pruned candidate lists (see the module docstring).

    ``outside_only`` and ``starts`` are those of the forward searches that will use the result: a non-role node is
    only ever a start, so it counts only when it is one of ``starts`` (None: any node) and
    :meth:`ReachabilityEngine.source_constraints` admits it; its hops then carry those first-hop constraints and the
    query's first-hop action, as in the forward search. ``cache`` (:class:`ClosureCache` of the same engine) keeps
    what the closure reads for the next one; the result is the same with or without it.

    ``lean`` (``GraphQueries.lean_closure``): a role caller's hop whose outcome the cache holds is read in the loop
    itself (no call per row; a role session's Sat hop never has its other MFA outcome asked: only a symbolic AWS
    source's does, :meth:`ReachabilityEngine.flips_mfa`; a hop that is not Sat, when carried values are demanded,
    gives what ``landing`` gives it, read in the loop too; a start's states are read once per engine, as ``listed``
    reads them); a hop not yet decided goes through the same ``landing`` as
    without it, at the same point of the walk, so the same questions are asked in the same order and the closure is
    the same (``tests/queries/test_lean_closure.py``). A warm closure over a
    strongly connected organization reads tens of thousands of rows per query.

    ``listed`` (``GraphQueries.listed_hops``, with ``lean``, for a query from every source without a first-hop
    action and no carried value demanded): a role examined again is read as entries the cache keeps
    (:meth:`ClosureCache.entries`, built the second time it is examined: the first examination asks most of its
    hops): a decided hop is its caller state and the state it lands in, read without a key or a look-up, a hop that
    gives nothing is left out; a hop not decided goes through ``landing`` at the same point of the walk (the role's
    entries are built again the next time it is examined), so the closure and the questions are the same
    (``tests/queries/test_listed_hops.py``).

    ``refused`` (``GraphQueries.listed_refused``, with ``listed``): the lists kept in an estate whose policies read
    carried values too, a refused hop listed as one that may reach (:meth:`ClosureCache.entries`: what the walk
    gives it there), so that a hub's closure in such an estate (random:5 at 2,000 roles: ~140,000 rows a query) is
    not read row by row with a key and a look-up per caller state (``tests/queries/test_listed_refused.py``).
    """
    from trustgraph.smt.solve import Sat, Unknown

    if cache is None or cache.engine is not engine:
        cache = ClosureCache(engine)
    out = Backward(target, cache)
    status = out.status
    status[(target, False)] = REACHES
    status[(target, True)] = REACHES
    first_extra: dict[str, tuple[KeyConstraint, ...] | None] = {}
    hops = cache.hops.setdefault(options, {})
    flipped = cache.flipped.setdefault(options, {})
    flips = cache.flips
    demand = bool(engine.demand)

    def source_extra(node: str) -> tuple[KeyConstraint, ...] | None:
        if node not in first_extra:
            if starts is not None and node not in starts:
                first_extra[node] = None
            else:
                first_extra[node] = engine.source_constraints(node, outside_only=outside_only)
        return first_extra[node]

    def landing(state: State, role: str, action: Action, text: str, extra: tuple[KeyConstraint, ...]) -> int:
        """The best status a hop from ``state`` into ``role`` can give its caller (``text``: the action's)."""
        key = (state, role, text, extra)
        shape = hops.get(key, hops)
        if shape is hops:
            result = engine.decide(state, role, action, options, extra)
            if isinstance(result, Sat):
                shape = (engine.produces_mfa(result),)
            elif isinstance(result, Unknown):
                shape = MAYBE
            else:
                shape = None
            hops[key] = shape
        if shape is None:
            if demand:  # a session carrying a source identity or transitive tags may get in where this one cannot
                return min(MAYBE, max(status.get((role, False), 0), status.get((role, True), 0)))
            return 0
        if shape == MAYBE:
            return MAYBE
        produced = shape[0]
        best = status.get((role, produced), 0)
        if best < REACHES:
            fkey = (state[0], text)
            flip = flips.get(fkey)
            if flip is None:
                flip = flips[fkey] = engine.flips_mfa(state[0], action)
            if flip:
                if key in flipped:
                    other = flipped[key]
                else:
                    alt = engine.decide(state, role, action, options, (*extra, engine.flip(produced)))
                    other = (not produced) if isinstance(alt, Sat) and engine.produces_mfa(alt) is not produced \
                        else None
                    flipped[key] = other
                if other is not None:
                    best = max(best, status.get((role, other), 0))
        return best

    work: deque[str] = deque([target])
    examined = out.examined
    sources = out.sources
    known_starts = cache.starts
    query_action = options.action
    everyone = starts is None
    listing = cache.lists.setdefault(options, {}) if (
        listed and lean and everyone and query_action is None and (refused or not demand)) else None
    while work:
        role = work.popleft()
        examined.add(role)
        entries: list[Entry] | None = None
        if listing is not None:
            if role not in listing:  # examined for the first time: read as below (most of its hops are asked now)
                listing[role] = None
            else:
                entries = listing[role]
                if entries is None:
                    entries = listing[role] = cache.entries(role, hops, demand)
        if entries is not None:
            assert listing is not None
            asked = False
            for caller, u, land, hop in entries:
                if caller is None:  # not a role: a start, its hops asked with its first-hop constraints
                    assert hop is not None
                    first = source_extra(u)
                    if first is None:
                        continue
                    starts_of = known_starts.get(u)
                    if starts_of is None:
                        starts_of = known_starts[u] = engine.start_states(u)
                    for start in starts_of:
                        before = status.get(start, 0)
                        if before == REACHES:
                            continue
                        got = landing(start, role, hop[0], hop[1], first)
                        if got > before:
                            status[start] = got
                            sources.add(u)
                    continue
                before = status.get(caller, 0)
                if before == REACHES:
                    continue
                if land is None:  # not decided when the entries were built
                    assert hop is not None
                    asked = True
                    got = landing(caller, role, hop[0], hop[1], ())
                elif land == MAYBE:
                    got = MAYBE
                else:
                    got = status.get(land, 0)  # type: ignore[arg-type]
                if got > before:
                    status[caller] = got
                    work.append(u)
                    if caller[1] is False:
                        sources.add(u)
            if asked:
                listing[role] = None
            continue
        for u, _, _, action, text, states in cache.role_rows(role):
            extra: tuple[KeyConstraint, ...] | None = ()
            callers: tuple[State, ...]
            if lean and states is not None and (query_action is None or not (everyone or u in starts)):  # type: ignore[operator]
                # a role caller, its hop read here when the cache holds its outcome (landing() otherwise)
                for state in states:
                    before = status.get(state, 0)
                    if before == REACHES:
                        continue
                    key = (state, role, text, ())
                    shape = hops.get(key, hops)
                    if shape is None:
                        if not demand:
                            continue  # not Sat: gives nothing
                        # what landing() gives a hop that is not Sat when carried values are demanded: a session
                        # carrying one may get in (read here, at the same point of the walk)
                        got = min(MAYBE, max(status.get((role, False), 0), status.get((role, True), 0)))
                    elif shape is hops:
                        got = landing(state, role, action, text, ())
                    elif shape == MAYBE:
                        got = MAYBE
                    else:  # Sat: a role session never takes the other MFA outcome (flips_mfa: symbolic sources)
                        got = status.get((role, shape[0]), 0)
                    if got > before:
                        status[state] = got
                        work.append(u)
                        if query_action is None and state[1] is False and (everyone or u in starts):  # type: ignore[operator]
                            sources.add(u)
                continue
            if states is not None:  # a role
                callers = states
                if query_action is not None and (everyone or u in starts) and action is query_action:  # type: ignore[operator]
                    sources.add(u)  # its first hop is restricted: a candidate, decided by its own search
            else:
                extra = source_extra(u)
                if extra is None or (query_action is not None and action is not query_action):
                    continue
                if lean:  # a node's start states read once for the engine's life (as the listed closure does)
                    callers = known_starts.get(u) or known_starts.setdefault(u, engine.start_states(u))
                else:
                    callers = engine.start_states(u)
            assert extra is not None
            for state in callers:
                before = status.get(state, 0)
                if before == REACHES:
                    continue
                got = landing(state, role, action, text, extra)
                if got > before:
                    status[state] = got
                    if states is not None:
                        work.append(u)
                        if query_action is None and state[1] is False and (everyone or u in starts):  # type: ignore[operator]
                            sources.add(u)
                    else:
                        sources.add(u)
    out.sources.discard(target)
    return out


def distances(engine: ReachabilityEngine, closure: Backward, options: QueryOptions) -> dict[State, int]:
    """Hops from each role state that reaches the target to the target, through the hops of a search after its first
    (no first-hop constraints; a role session's hop always gives a session without MFA). The target's states are 0.

    Only states the closure found to reach the target are asked, and their hops are those it decided (memoised)."""
    from trustgraph.smt.solve import Sat

    return walk_distances(engine.G, closure,
                          lambda state, role, action: isinstance(engine.decide(state, role, action, options, ()), Sat))


def walk_distances(G: nx.MultiDiGraph, closure: Backward, lands: Callable[[State, str, Action], bool]
                   ) -> dict[State, int]:
    """The breadth-first pass behind :func:`distances`: backwards from the target over the closure's hops into
    roles, a state at ``depth + 1`` when ``lands(state, role, action)`` says its hop into a role at ``depth`` lands
    in that role's session without MFA (the caller decides how a hop is asked)."""
    into = closure.cache.into
    status = closure.status
    target = closure.target
    dist: dict[State, int] = {(target, False): 0, (target, True): 0}
    frontier = [target]  # roles whose session without MFA is `depth` hops from the target
    depth = 0
    while frontier:
        later: list[str] = []
        for role in frontier:
            for node, action in into.get(role, ()):
                for state in ((node, False), (node, True)):
                    if state in dist or status.get(state) != REACHES:
                        continue
                    if lands(state, role, action):
                        dist[state] = depth + 1
                        if not state[1]:
                            later.append(node)
        frontier = later
        depth += 1
    return dist


class Layers:
    """The shortest-path layers of one closure (:func:`distances`), and the searches restricted to them."""

    def __init__(self, engine: ReachabilityEngine, closure: Backward, options: QueryOptions) -> None:
        self.engine = engine
        self.closure = closure
        self.options = options
        self.dist = distances(engine, closure, options)
        self._reaching = {state[0] for state in self.dist}
        self._candidates: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def candidates(self, node: str) -> list[tuple[str, dict[str, Any]]]:
        """The closure's candidates of ``node`` into roles that reach the target."""
        found = self._candidates.get(node)
        if found is None:
            reaching = self._reaching
            found = self._candidates[node] = [
                (role, data) for _, role, data in self.closure.successors(node) if role in reaching]
        return found

    def search(self, label: str, starts: tuple[str, ...], *, outside_only: bool) -> SearchOutcome:
        """The search from ``starts`` to the target restricted to the states on its shortest paths (see the module
        docstring). The first hops land in states whose distances give the bound: until they are all known (the
        starts are expanded before any later state), every state that reaches the target is kept (more states
        than needed never change the path found); after, only those within the bound."""
        dist = self.dist
        bound = [1 << 30]

        def keep(state: State, depth: int) -> bool:
            if len(state) == 3:  # a session that carries a source identity or tags: never pruned (see module)
                return True
            hops = dist.get(state)
            if hops is None:
                return False
            if depth == 1:
                bound[0] = min(bound[0], hops + 1)
                return True
            return depth + hops <= bound[0]

        return self.engine.search(label, self.options, outside_only=outside_only, stop_at=self.closure.target,
                                  starts=starts, candidates=self.candidates, keep=keep)


__all__ = ["ACTION_BY_TEXT", "MAYBE", "REACHES", "Backward", "ClosureCache", "Layers", "backward_closure", "distances"]
