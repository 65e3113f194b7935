"""The reverse search of :mod:`trustgraph.queries.reverse` for an estate whose policies read what a session carries
(a source identity or transitive session tags: ``engine.demand``, :mod:`trustgraph.queries.carry`).

There a search state is ``(node, MFA)`` or ``(node, MFA, carried)``, and a hop refused to a session that carries
nothing may be allowed to one that carries a value, so the distances of :class:`~trustgraph.queries.reverse.
ReversePaths`, which know only role states, do not apply, and each source used to be searched on its own over the
whole backward closure (``engine.search(..., candidates=closure.candidates)``, the reference): one search per source,
each walking most of the closure's states.

In such an estate every role session is searched as a session that may carry something (the engine's successor
list of a state after the first hop does not depend on what the search reached before: no "already holds this role"
filter), so the states and hops after a source's first hop form one graph, the same for every source. This module
builds that graph once per query (:class:`CarriedPaths`):

1. the first hops of every start state of every source asked (with the source's first-hop constraints and the
   query's first-hop action, as the forward search asks them), asked in the search's order only up to the first
   one into the target when there is one (that hop is the source's answer: the forward search stops there);
2. the states the other sources' first hops land in, and the states reachable from them along the closure's
   candidates, level by level, each expanded once by :meth:`ReachabilityEngine.successors` (the forward search's
   own loop body, one candidate at a time: same hops, same order, same memoised answers and witnesses; kept for the
   engine's life in a :class:`HopStore`), the target's states not expanded (the forward search stops there);
3. a breadth-first pass backwards over the hops expanded so far from the target's states: each state's number of
   hops to the target. With ``K`` levels expanded, a landing whose shortest path has ``d <= K`` hops gets exactly
   ``d`` (every state of the path is expanded) and any other at least its own, so a source whose least landing
   distance is at most ``K`` is answered; the others wait for more levels (doubled each time), so a query whose
   sources are all near the target does not expand the whole closure. Which states reach an undecided hop is read
   once every state is expanded (only a source with no path needs it).

A source's answer then follows without a search of its own, as in :mod:`trustgraph.queries.reverse`: the forward
breadth-first search lists successors in a fixed order, so the path it finds is the lexicographically least shortest
path (by successor positions, starts first); the walk takes, from the first start state at the least distance, at each
step the first successor one hop nearer. One check keeps it exact: the forward search never visits a start state a
second time, while the graph here may route a path through one (with the hops of a later state); such a path is not
used, and the source is searched as before. A source none of whose states reaches the target and none of which
reaches an undecided hop is not listed (its forward search finds neither); one that only may reach it (an undecided
hop on the way) is searched as before, for its reasons.

Cost: at most the closure's states with their carried variants, each expanded once (at most (1 + source identities) x
(1 + tags) states per role, :meth:`CarryDemand.choices`), two passes over their hops, then per source its first hops
and its path: O(states x candidates + sources x (first hops + path)) instead of O(sources x states x candidates).
The answers are put together as the role-state search puts its own (:class:`~trustgraph.queries.agreed.AgreedPaths`:
one path-following for both, the part of a path after its first hop agreed once per state and shared).
``tests/queries/test_reverse_carried.py`` compares it with the search per source field by field.

The lazy pass (``GraphQueries.lazy_carried``, ``CarriedPaths(lazy=True)``): expanding every landing's successors
level by level decides every hop out of every state the sources' first hops land in, although most sources of a hub
query (a role trusted by a whole organization: ~300 sources on condition-heavy at 2,000 roles) are answered by a first
hop into the target or a landing one hop from it. The lazy pass asks, for each source in turn, whether its landings
are within 0, 1, 2, ... hops of the target by searches bounded by that distance (:meth:`CarriedPaths._within`):
within one hop asks only a state's candidates into the target; a farther bound expands the state's successors and
asks each within one hop less; each state's distance once proved and a lower bound otherwise are remembered. The
first landing in the search's order within a distance all landings were shown farther than before is at exactly it:
the landing the levels give, and each step (the first successor one hop nearer) reads proved distances, so the path
and its witnesses are the reference's; a source whose first hops would land in the target asks only its candidates
into the target. A source with no landing within :data:`LAZY_BOUND` hops (:data:`DEEP_BOUND` with ``deep``,
GraphQueries.deep_lazy), or none at all, falls back on the levels.
The bench's who_can_reach on condition-heavy at 2,000 roles (200 roles in turn; loaded machine, two interleaved
pairs): CPU 5.6, 7.8 -> 2.2, 3.2 s, p99 1,007, 1,281 -> 124, 244 ms; random:3 p99 636, 499 -> 152, 114 ms. Tests
compare it with the levels field by field (``tests/queries/test_lazy_carried.py``, each engine on its own session).

The deep lazy pass (``GraphQueries.deep_lazy``, ``CarriedPaths(deep=True)``), what the lazy pass still paid on a hub
of random:3 at 2,000 roles (job-runner-617, 728 sources, 2.2 s alone): every first hop of every source asked up front
(SAML providers whose trusts read tags: z3), every state a bound reached expanded whole, and 5 sources 7 hops away
falling back on the levels. With it: each role's floor, its least number of hops to the target over the closure's
candidates (a lower bound of any of its states' distances: a state's hops follow its role's candidates), prunes the
bounded searches (a state whose floor is above the bound is not within it; a state's successors and a source's first
hops are asked only into roles whose floor is within the bound, each candidate's hop remembered as before); the first
hops of all sources are asked only when the levels are needed (:meth:`CarriedPaths._land`); the bound is
:data:`DEEP_BOUND`, past :data:`LAZY_BOUND` one search at the deepest bound first (a source with no path then falls
back at once instead of trying each bound), and once every state is expanded the levels' exact distances answer.
Skipped hops cannot be the first within the bound in the search's order, so the hop found is the lazy pass's.
``tests/queries/test_deep_lazy.py`` compares it with the lazy pass and the levels field by field.

The MFA bound (``ReachabilityEngine(mfa_bound=True)``, :mod:`trustgraph.queries.mfagate`): a target whose trust
policy refuses every session without MFA (random:1's ``*-operator-mfa`` roles: 9 of ~670 sources reach one) is
reached by no state without MFA, and by one with MFA within one hop or never (a role session's sessions carry no
MFA), so :meth:`CarriedPaths._within` answers those states without its bounded search (which proved each of them
farther than :data:`DEEP_BOUND` over the whole closure, ~2/3 of such a query) and a role's floor is 1 (a candidate
into the target) or none, without the breadth-first pass. Distances only: which sources reach an undecided hop is
read off the complete expansion as before. ``tests/queries/test_mfa_bound.py`` compares it with the reference.

From distance 1 (``GraphQueries.lazy_from_one``, ``CarriedPaths(from_one=True)``): a source whose :meth:`CarriedPaths.
_direct` found no first hop into the target (it asked every candidate into it) starts the lazy pass at distance 1; the
pass at 0 only re-read those hops (no new question) and found nothing. ``tests/queries/test_lazy_least.py``.

Local misses (``GraphQueries.local_misses``, ``CarriedPaths(local=True)``, :mod:`trustgraph.queries.carried_walk`): a
source with no landing within :data:`LAZY_BOUND` is walked over the states reachable from its own landings before
the deepest bound and the levels; when they reach neither the target nor an undecided hop it is not listed (what the
levels conclude), without asking every other source's first hops. ``tests/queries/test_local_misses.py``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from trustgraph.queries.agreed import AgreedPaths
from trustgraph.queries.carried_walk import Walks, levels_back
from trustgraph.queries.mfagate import refuses_without_mfa

if TYPE_CHECKING:
    from trustgraph.queries.backward import Backward
    from trustgraph.queries.engine import ReachabilityEngine, State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.results import HopWitness, ReachResult
    from trustgraph.smt.solve import KeyConstraint

#: a state's successors in the forward search's order, each with the witness of its hop
Successors = tuple[tuple["State", "HopWitness"], ...]
#: a state's successors over a closure's candidate list, kept with that list (:meth:`CarriedPaths._all_hops`)
FlatHops = tuple[list[tuple[tuple[int, int], str, dict[str, Any]]], Successors, bool]
#: hops a :class:`HopStore` holds before it starts again (each a few hundred bytes)
STORE_LIMIT = 400_000
#: the distances the lazy pass (``CarriedPaths(lazy=True)``) tries for a source before it falls back on the level
#: expansion of the reference (a source farther than this, or with no path, is answered as without it)
LAZY_BOUND = 6
#: the same with ``CarriedPaths(deep=True)`` (``GraphQueries.deep_lazy``): a path of up to this many hops after the
#: first. At 6, a source 7 hops from a hub of random:3 at 2,000 roles (5 of job-runner-617's 728 sources) fell back on
#: the levels, which expand every landing of every source (0.8 of the query's 2.2 s alone); the bounded search is
#: exact at any bound, and a deeper one re-reads only the hops it expanded already (each state's lower bound kept)
DEEP_BOUND = 24
#: the floor (:meth:`CarriedPaths._floor`) of a role from which no candidate path leads to the target
FAR = 1 << 30


def usable(engine: ReachabilityEngine, options: QueryOptions) -> bool:
    """Whether :class:`CarriedPaths` answers this query: an estate whose policies read carried values (elsewhere
    :mod:`trustgraph.queries.reverse` does, and a role session's successors depend on what its search reached), and
    no hop limit."""
    return options.max_hops is None and bool(engine.demand)


class HopStore:
    """The hops :class:`CarriedPaths` decided, per options, for the life of one engine (held by the caller, e.g. a
    ``GraphQueries``): every entry is what the engine's memoised answers give, so a query that reads it gets what it
    would compute. Dropped when the graph changes or it holds more than :data:`STORE_LIMIT` hops."""

    def __init__(self, engine: ReachabilityEngine) -> None:
        from trustgraph.graph.nodes import graph_version

        self.engine = engine
        self.version = graph_version(engine.G)
        self._by_options: dict[QueryOptions, dict[State, dict[tuple[int, int], tuple[Successors, bool]]]] = {}
        self._flat_by_options: dict[QueryOptions, dict[State, FlatHops]] = {}
        #: node -> its start states (:meth:`ReachabilityEngine.start_states`, a function of the node and the estate)
        self.starts: dict[str, tuple[State, ...]] = {}

    def fresh(self, engine: ReachabilityEngine) -> HopStore:
        """This store, or a new one for another engine, a changed graph or a full store (a joined list counted as
        one hop: it holds the hops' own successor tuples)."""
        from trustgraph.graph.nodes import graph_version

        held = sum(len(v) for per in self._by_options.values() for v in per.values())
        held += sum(len(per) for per in self._flat_by_options.values())
        if engine is self.engine and graph_version(engine.G) == self.version and held <= STORE_LIMIT:
            return self
        return HopStore(engine)

    def of(self, options: QueryOptions) -> dict[State, dict[tuple[int, int], tuple[Successors, bool]]]:
        return self._by_options.setdefault(options, {})

    def flat_of(self, options: QueryOptions) -> dict[State, FlatHops]:
        """state -> (the closure's candidates (order key, role, edge data) it was expanded over, its successors over
        them joined in that order, whether one of their hops is undecided): :meth:`CarriedPaths._all_hops`."""
        return self._flat_by_options.setdefault(options, {})


class CarriedPaths:
    """The carried-state graph of one closure, its distances to the target, and each source's path read off them
    (see the module docstring). ``groups``: the (label, start nodes) the caller will ask, so that their first hops
    are part of the graph."""

    def __init__(self, engine: ReachabilityEngine, closure: Backward, options: QueryOptions, *,
                 outside_only: bool, groups: list[tuple[str, tuple[str, ...]]],
                 hops: HopStore | None = None, flat: bool = False, lazy: bool = False, deep: bool = False,
                 from_one: bool = False, local: bool = False) -> None:
        self.engine = engine
        store = hops if hops is not None else HopStore(engine)
        #: state -> (its candidate's order key -> that hop's successors and whether it is undecided), for the
        #: engine's life: a later query over another closure reads the hops it shares with this one
        self.hops: dict[State, dict[tuple[int, int], tuple[Successors, bool]]] = store.of(options)
        #: ``flat``: each state's successors over a candidate list kept joined (:meth:`_all_hops`), and each node's
        #: start states, for the engine's life; None: joined candidate by candidate in every query (the reference)
        self._flat: dict[State, FlatHops] | None = store.flat_of(options) if flat else None
        self._start_states: dict[str, tuple[State, ...]] | None = store.starts if flat else None
        self.closure = closure
        self.options = options
        self.outside_only = outside_only
        self.target = closure.target
        #: state -> its successors after the first hop; states whose expansion met an undecided hop
        self._later: dict[State, Successors] = {}
        self._undecided: set[State] = set()
        #: (start state, first-hop constraints) -> its first hops, and whether one is undecided
        self._firsts: dict[tuple[State, tuple[KeyConstraint, ...]], tuple[Successors, bool]] = {}
        self._extra: dict[str, tuple[KeyConstraint, ...] | None] = {}
        self._steps: dict[State, tuple[State, HopWitness] | None] = {}
        #: the answers read off the steps (:meth:`_step`), the agreed part of each path after its first hop shared
        self.agreed = AgreedPaths(engine, options, closure.target, self._next)
        self._first_memo: dict[Any, dict[tuple[int, int], tuple[Successors, bool]]] = {}
        #: label -> the first hop into the target of a source that has one (asked up to it: no other first hop)
        self._directs: dict[tuple[str, ...], tuple[State, State, HopWitness] | None] = {}
        #: ``lazy`` (``GraphQueries.lazy_carried``): each source's least distance found by bounded searches from its
        #: landings that expand only the states they need (:meth:`_within`), instead of expanding every landing's
        #: successors level by level; False: the reference, which tests compare it with
        self.lazy = lazy
        #: with ``lazy``: a source none of whose first hops lands in the target starts the lazy pass at distance 1
        #: (``GraphQueries.lazy_from_one``; False: at 0, the reference, which tests compare it with)
        self.from_one = from_one
        #: with ``lazy`` and ``deep`` (``GraphQueries.local_misses``): a source with no landing within LAZY_BOUND is
        #: walked from its own landings (:class:`Walks`), and may miss without the levels; False: the reference
        self.local = local and lazy and deep
        #: with ``local``: the walks from each source's landings (:class:`~trustgraph.queries.carried_walk.Walks`)
        self.walks = Walks()
        #: the distances the lazy pass tries before the levels (``deep``: :data:`DEEP_BOUND`, else :data:`LAZY_BOUND`)
        self.bound = DEEP_BOUND if deep else LAZY_BOUND
        #: with ``lazy``: state -> its distance to the target, once proved; state -> a proved lower bound of it;
        #: state -> its successors in the target's states (in the search's order); state -> all its successors
        self._exact: dict[State, int] = {}
        self._atleast: dict[State, int] = {}
        self._into: dict[State, Successors] = {}
        self._full: dict[State, Successors] = {}
        self._near: dict[tuple[State, int], Successors] = {}
        self._into_rows: dict[str, list[tuple[tuple[int, int], str, dict[str, Any]]]] | None = None
        #: with ``deep``: each role's least number of hops to the target over the closure's candidates (a lower
        #: bound of any of its states' distance: a state's hops follow its role's candidates), built when first read
        self.deep = deep
        self._floors: dict[str, int] | None = None
        #: the target refuses every session without MFA (queries.mfagate, ``ReachabilityEngine.mfa_bound``): a state
        #: without MFA is never within a bound, one with MFA within one hop or never (its sessions carry no MFA)
        self.mfa_gate = refuses_without_mfa(engine, closure.target, options)
        pending: list[tuple[State, tuple[KeyConstraint, ...]]] = []
        landed: list[State] = []
        #: start nodes -> their start states with first-hop constraints, as :meth:`result` lists them (read there
        #: instead of listed again per source)
        self._begins: dict[tuple[str, ...], list[tuple[State, tuple[KeyConstraint, ...]]]] = {}
        for _, starts in groups:
            begins = self._begins[starts] = [b for node in starts for b in self._starts(node)]
            if target_in := self._direct(begins):
                self._directs[starts] = target_in
                continue
            self._directs[starts] = None
            if lazy and deep:
                pending.extend(begins)
                continue
            for start, extra in begins:
                landed.extend(nxt for nxt, _ in self._first_hops(start, extra)[0])
        #: the start states whose first hops land in the states the levels expand from; with ``lazy`` and ``deep``
        #: asked only when the levels are needed (:meth:`_land`: a source the lazy pass answers asks only the first
        #: hops its bounds need)
        self._pending: list[tuple[State, tuple[KeyConstraint, ...]]] | None = pending if lazy and deep else None
        #: the states found so far (every landing at depth 0) and the next level to expand; ``levels``: how many
        #: levels were expanded (every state found within fewer hops of a landing is expanded)
        self._seen: set[State] = set(landed)
        self._frontier: list[State] = list(dict.fromkeys(landed))
        self._back: dict[State, list[State]] = {}
        self.levels = 0
        self.dist: dict[State, int] = {}
        self._reaches_unknown: set[State] | None = None
        if not lazy:  # the lazy pass expands what a source needs when it is answered
            self._deepen(1)

    def _land(self) -> None:
        """The first hops of every start state asked (in the order of the groups), their landings the levels' first
        frontier (once)."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        landed = [nxt for start, extra in pending for nxt, _ in self._first_hops(start, extra)[0]]
        self._seen.update(landed)
        self._frontier.extend(dict.fromkeys(landed))

    # ------------------------------------------------------------------------------------------------ the graph
    def _starts(self, node: str) -> list[tuple[State, tuple[KeyConstraint, ...]]]:
        """The start states of ``node`` with its first-hop constraints (none when the forward search skips it)."""
        engine = self.engine
        if node not in self._extra:
            self._extra[node] = engine.source_constraints(node, outside_only=self.outside_only)
        extra = self._extra[node]
        if extra is None:
            return []
        kept = self._start_states
        if kept is None:
            return [(start, extra) for start in engine.start_states(node)]
        states = kept.get(node)
        if states is None:
            states = kept[node] = engine.start_states(node)
        return [(start, extra) for start in states]

    def _hops_of(self, state: State, depth: int, extra: tuple[KeyConstraint, ...], only: str | None = None,
                 keep: Callable[[str], bool] | None = None) -> Iterator[tuple[Successors, bool]]:
        """The forward search's successors of ``state`` at ``depth`` (0: a start, with ``extra``) over the closure's
        candidates, one candidate at a time in the search's order: each candidate's successors and whether its hop
        is undecided. Each candidate is asked through :meth:`ReachabilityEngine.successors` (the search's own loop
        body, which does not depend on the other candidates when every session may carry something) and remembered:
        in :attr:`hops` for the engine's life when the hop is asked as any later hop is (after the first, or a first
        hop without constraints or an action filter), else for this query. ``only``: the candidates into that role
        alone (the others neither asked nor yielded); ``keep``: the candidates into the roles it keeps alone."""
        from trustgraph.queries.outcome import SearchOutcome

        shared = depth > 0 or (not extra and self.options.action is None)
        memo = self.hops if shared else self._first_memo
        mkey: Any = state if shared else (state, extra)
        known = memo.get(mkey)
        if known is None:
            known = memo[mkey] = {}
        scratch: SearchOutcome | None = None
        listed = self._target_rows(state[0]) if only == self.target else self.closure.successors(state[0])
        for key, role, data in listed:
            if (only is not None and role != only) or (keep is not None and not keep(role)):
                continue
            hit = known.get(key)
            if hit is None:
                if scratch is None:
                    scratch = SearchOutcome("", options=self.options)
                before = len(scratch.unknown_edges)
                found = self.engine.successors(state, depth, self.options, extra, scratch, None, _one((role, data)))
                hit = known[key] = (tuple(found), len(scratch.unknown_edges) > before)
            yield hit

    def _target_rows(self, node: str) -> list[tuple[tuple[int, int], str, dict[str, Any]]]:
        """``node``'s entries of :meth:`Backward.successors` into the target, read off the target's rows (one pass
        per query), not filtered out of the node's whole list (a hub's ~2,000 sources each ask their hop into it)."""
        into = self._into_rows
        if into is None:
            into = self._into_rows = {}
            target = self.target
            for u, data, key, *_ in self.closure.cache.role_rows(target):
                into.setdefault(u, []).append((key, target, data))
            for rows in into.values():  # in the node's candidate order (an order key is unique among them)
                rows.sort(key=lambda row: row[0])
        return into.get(node, [])

    def _later_hops(self, state: State) -> tuple[Successors, bool]:
        """Every successor of ``state`` after the first hop, and whether one of its hops is undecided."""
        return self._all_hops(state, 1, ())

    def _all_hops(self, state: State, depth: int, extra: tuple[KeyConstraint, ...]) -> tuple[Successors, bool]:
        """Every successor of ``state`` at ``depth`` (as :meth:`_hops_of`, joined) and whether one of its hops is
        undecided.

        With ``flat``, a state whose hops are kept for the engine's life (:meth:`_hops_of`'s ``shared``) keeps them
        joined too, with the closure's candidates they were joined over: a later query whose closure lists the same
        candidates for the state's node (a role below the same hub) reads the joined list instead of joining
        candidate by candidate. Every hop of it is then in :attr:`hops` already (the list was
        joined from them, kept hops never change, and both live in one :class:`HopStore`), so the loop would ask
        nothing and join the same entries in the same order: the same successors, and no question skipped."""
        flat = self._flat
        shared = flat is not None and (depth > 0 or (not extra and self.options.action is None))
        if shared:
            assert flat is not None
            listed = self.closure.successors(state[0])
            kept = flat.get(state)
            # the same candidates (order key, role, edge data), compared element by element: the closures of one
            # engine share the entries (ClosureCache.out_of), so mostly by identity
            if kept is not None and kept[0] == listed:
                return kept[1], kept[2]
        found: list[tuple[State, HopWitness]] = []
        undecided = False
        for leads, unknown in self._hops_of(state, depth, extra):
            found.extend(leads)
            undecided = undecided or unknown
        joined = tuple(found)
        if shared:
            assert flat is not None
            flat[state] = (listed, joined, undecided)
        return joined, undecided

    def _first_hops(self, start: State, extra: tuple[KeyConstraint, ...]) -> tuple[Successors, bool]:
        """Every first hop of ``start`` (as :meth:`_later_hops`)."""
        key = (start, extra)
        hit = self._firsts.get(key)
        if hit is None:
            hit = self._firsts[key] = self._all_hops(start, 0, extra)
        return hit

    def _direct(self, begins: list[tuple[State, tuple[KeyConstraint, ...]]]
                ) -> tuple[State, State, HopWitness] | None:
        """The first hop into the target in the search's order (start states in order, each one's candidates in
        order), asking the candidates only up to it, as the forward search does (it stops when it reaches the
        target): (start state, the target's state, witness), or None when no first hop lands in the target. With
        ``lazy``, only the candidates into the target are asked: the hops into other roles before them land
        elsewhere, so they never decide which hop is the first into the target."""
        target = self.target
        for start, extra in begins:
            # lazy: the candidates into the target read alone (_target_rows), not the first hops joined
            joined = None if self.lazy else self._joined(start, extra)
            if joined is not None:  # every first hop decided already: the first one into the target, if any
                for nxt, witness in joined:
                    if nxt[0] == target:
                        return start, nxt, witness
                continue
            # lazy: only the candidates into the target (no other hop lands there; the others are asked, when a
            # source needs them, by _first_hops)
            for leads, _ in self._hops_of(start, 0, extra, target if self.lazy else None):
                for nxt, witness in leads:
                    if nxt[0] == target:
                        return start, nxt, witness
        return None

    def _joined(self, start: State, extra: tuple[KeyConstraint, ...]) -> Successors | None:
        """The first hops of ``start`` when they are known joined over this closure's candidates (this query's
        :meth:`_first_hops`, or with ``flat`` the kept list of :meth:`_all_hops`), else None (nothing is asked)."""
        flat = self._flat
        if flat is None:
            return None
        hit = self._firsts.get((start, extra))
        if hit is not None:
            return hit[0]
        if extra or self.options.action is not None:
            return None
        kept = flat.get(start)
        if kept is None:
            return None
        return kept[1] if kept[0] == self.closure.successors(start[0]) else None

    @property
    def complete(self) -> bool:
        """Whether every state reachable from a landing has been expanded."""
        return not self._frontier and self._pending is None

    def _deepen(self, levels: int) -> None:
        """Expand ``levels`` more levels of the states reachable from the landings (the target's states are not
        expanded: the forward search stops there), then the distances again."""
        self._land()
        later, back, seen, target = self._later, self._back, self._seen, self.target
        for _ in range(levels):
            if not self._frontier:
                break
            level: list[State] = []
            for state in self._frontier:
                if state[0] == target:
                    continue
                found, undecided = self._later_hops(state)
                later[state] = found
                if undecided:
                    self._undecided.add(state)
                for nxt, _ in found:
                    back.setdefault(nxt, []).append(state)
                    if nxt not in seen:
                        seen.add(nxt)
                        level.append(nxt)
            self._frontier = level
            self.levels += 1
        self.dist = self._distances()
        self._steps.clear()
        self.agreed.clear()

    def _distances(self) -> dict[State, int]:
        """Hops from each state found to the target over the hops expanded so far (breadth-first, backwards). A
        state ``j`` levels from a landing whose shortest path to the target has ``d`` hops gets exactly ``d`` once
        ``j + d`` levels are expanded (every state of that path is then expanded); otherwise at least ``d``."""
        return levels_back([s for s in self._seen if s[0] == self.target], self._back)

    def _unknown_reachers(self) -> set[State]:
        """The states from which an undecided hop is reachable (every state expanded: complete)."""
        if self._reaches_unknown is None:
            self._land()
            while not self.complete:
                self._deepen(max(1, self.levels))
            unknown = set(self._undecided)
            queue = deque(unknown)
            while queue:
                state = queue.popleft()
                for prev in self._back.get(state, ()):
                    if prev not in unknown:
                        unknown.add(prev)
                        queue.append(prev)
            self._reaches_unknown = unknown
        return self._reaches_unknown

    # ------------------------------------------------------------------------------------------------ answers
    def misses(self, starts: tuple[str, ...]) -> bool:
        """Whether the forward search from ``starts`` finds neither the target nor an undecided hop (so a query
        lists no answer for it): no first hop is undecided, and none lands in a state that reaches the target or
        an undecided hop."""
        if self.local and self._walk(starts):
            return True
        unknown = self._unknown_reachers()
        dist = self.dist
        for node in starts:
            if node not in self.engine.G:
                return False
            for start, extra in self._starts(node):
                found, undecided = self._first_hops(start, extra)
                if undecided:
                    return False
                for nxt, _ in found:
                    if nxt in dist or nxt in unknown or nxt[0] == self.target:
                        return False
        return True

    def _walk(self, starts: tuple[str, ...]) -> bool:
        """Whether the source ``starts`` misses, by a walk from its own landings (:class:`Walks`)."""
        def first_hops(node: str) -> list[tuple[Successors, bool]] | None:
            if node not in self.engine.G:
                return None
            return [self._first_hops(start, extra) for start, extra in self._starts(node)]

        return self.walks.misses(starts, self.target, first_hops, self._later_hops, self._exact.__contains__)

    def _best_first_hop(self, begins: list[tuple[State, tuple[KeyConstraint, ...]]], start_states: set[State]
                        ) -> tuple[int, State, State, HopWitness] | None:
        """The first (start state, first hop), in the search's order, at the least distance to the target (its
        number of hops, the start state, the state it lands in, its witness), over the distances known."""
        dist, target = self.dist, self.target
        best: tuple[int, State, State, HopWitness] | None = None
        for start, extra in begins:
            for nxt, witness in self._first_hops(start, extra)[0]:
                if nxt in start_states:
                    continue  # the forward search has visited it already
                hops = 0 if nxt[0] == target else dist.get(nxt)
                if hops is not None and (best is None or hops + 1 < best[0]):
                    best = (hops + 1, start, nxt, witness)
        return best

    def _step(self, state: State) -> tuple[State, HopWitness] | None:
        """The first successor of ``state`` one hop nearer the target (memoised: paths that meet share the rest)."""
        steps = self._steps
        if state in steps:
            return steps[state]
        if self.lazy and state in self._exact:
            step = steps[state] = self._lazy_step(state)
            return step
        nearer = self.dist[state] - 1
        step = next(((nxt, w) for nxt, w in self._later.get(state, ()) if self.dist.get(nxt) == nearer), None)
        steps[state] = step
        return step

    def _next(self, state: State) -> tuple[State, HopWitness] | None:
        """The first successor of ``state`` one hop nearer the target (memoised: paths that meet share the rest)."""
        return self._step(state)

    def result(self, label: str, starts: tuple[str, ...]) -> ReachResult | None:
        """The answer of the forward search from ``starts`` (named ``label``) for the target: the path it finds, its
        hops' session names agreed (:class:`~trustgraph.queries.agreed.AgreedPaths`, which shares the part after
        the first hop between sources); None when the graph gives no path, a start is not a graph node, or the path
        would pass through a start state again (the caller then searches)."""
        engine = self.engine
        target = self.target
        graph = engine.G
        if any(node == target or node not in graph for node in starts):
            return None
        begins = self._begins.get(starts)
        if begins is None:
            begins = [b for node in starts for b in self._starts(node)]
        start_states = {s for s, _ in begins}
        direct = self._directs[starts] if starts in self._directs else self._direct(begins)
        if direct is not None:
            state, nxt, witness = direct
            return self.agreed.result(label, state, self._extra[state[0]] or (), nxt, witness)
        if self.lazy and not (self.deep and self.complete):  # deep: every distance exact once complete
            # no first hop lands in the target (:meth:`_direct` asked every candidate into it): none is within 0
            missed = (lambda: self._walk(starts)) if self.local else None
            if missed is not None and self.walks.first and missed():
                return None
            found = self._lazy_first_hop(begins, start_states, least=1 if self.from_one else 0, missed=missed)
            if found is not None:
                self.walks.answered += 1
                state, nxt, witness = found
                return self.agreed.result(label, state, self._extra[state[0]] or (), nxt, witness, start_states)
            if missed is not None and missed():
                return None  # no path and no undecided hop: the caller lists nothing (misses)
        self._land()
        while True:  # until the least distance found is exact (module docstring) or every state is expanded
            best = self._best_first_hop(begins, start_states)
            if (best is not None and best[0] - 1 <= self.levels) or self.complete:
                break
            self._deepen(max(1, self.levels))
        if best is None:
            return None
        _, state, nxt, witness = best
        return self.agreed.result(label, state, self._extra[state[0]] or (), nxt, witness, start_states)

    # ------------------------------------------------------------------------------------------------ the lazy pass
    def _lazy_first_hop(self, begins: list[tuple[State, tuple[KeyConstraint, ...]]], start_states: set[State],
                        least: int = 0, missed: Callable[[], bool] | None = None
                        ) -> tuple[State, State, HopWitness] | None:
        """:meth:`_best_first_hop` by bounded searches (``lazy``): for each distance in turn from 0 up to
        :attr:`bound`, the first hop, in the search's order, whose landing is within it (:meth:`_within`).
        Every landing is farther than the distances tried before, so the first within this one is at exactly it, and
        the one :meth:`_best_first_hop` takes (the least distance, the first in order on a tie) once the levels
        expanded make its distance exact. None when no landing is within the bound (the caller then expands levels
        as the reference does). ``least``: the distances below it are known to hold no landing (1 when
        :meth:`_direct` found no first hop into the target: the distance-0 pass would only re-read the hops it asked,
        ask nothing new and find nothing), so they are not tried. ``missed`` (``local``): asked before the deepest
        bound; True (the source reaches neither the target nor an undecided hop) ends the pass with None."""
        within = self._within
        if self.deep:
            for bound in range(least, self.bound):
                if bound == LAZY_BOUND and missed is not None and missed():
                    return None
                if bound == LAZY_BOUND and not any(nxt not in start_states and within(nxt, self.bound - 1)
                                                   for _, nxt, _ in self._near_first_hops(begins, self.bound - 1)):
                    return None  # none within the deepest bound: not each bound in turn (a source with no path)
                for start, nxt, witness in self._near_first_hops(begins, bound):
                    if nxt not in start_states and within(nxt, bound):
                        return start, nxt, witness
            return None
        hops = [(start, nxt, witness) for start, extra in begins for nxt, witness in self._first_hops(start, extra)[0]
                if nxt not in start_states]
        for bound in range(least, self.bound):
            for start, nxt, witness in hops:
                if within(nxt, bound):
                    return start, nxt, witness
        return None

    def _near_first_hops(self, begins: list[tuple[State, tuple[KeyConstraint, ...]]], bound: int
                         ) -> Iterator[tuple[State, State, HopWitness]]:
        """The first hops of ``begins`` (start state, landing, witness) in the search's order, except those into a
        role whose floor (:meth:`_floor`) is above ``bound`` (no state of it is within ``bound``), which are not
        asked: the hops joined already when they are, else each other candidate asked (:meth:`_hops_of`)."""
        floor = self._floor
        for start, extra in begins:
            joined = self._joined(start, extra)
            if joined is not None:  # the floors read off their map (floor()'s values) when there is one
                floors = self._floor_map()
                at = floors.get if floors is not None else (lambda role, _far: floor(role))
                yield from ((start, nxt, w) for nxt, w in joined if at(nxt[0], FAR) <= bound)
                continue
            for leads, _ in self._hops_of(start, 0, extra, keep=lambda role: floor(role) <= bound):
                yield from ((start, nxt, w) for nxt, w in leads)

    def _floor(self, role: str) -> int:
        """The least number of hops from ``role`` to the target over the closure's candidates (a large number when
        none leads there): no state of ``role`` is nearer, since every hop of a state follows one of its role's
        candidates (:meth:`_hops_of`)."""
        floors = self._floor_map()
        return self._gated_floor(role) if floors is None else floors.get(role, FAR)

    def _floor_map(self) -> dict[str, int] | None:
        """Every role's :meth:`_floor` (absent: :data:`FAR`), built when first read; None with :attr:`mfa_gate`."""
        if self.mfa_gate:
            return None
        floors = self._floors
        if floors is None:
            floors = self._floors = self._role_floors()
        return floors

    def _gated_floor(self, role: str) -> int:
        """:meth:`_floor` when the target refuses every session without MFA (:attr:`mfa_gate`): a state of ``role``
        is within one hop (a session with MFA and a candidate into the target) or never (:meth:`_gated_within`), so
        1 when one of the role's candidates is into the target, else a large number (0 for the target), each read
        when first asked instead of a breadth-first pass over the whole closure."""
        floors = self._floors
        if floors is None:
            floors = self._floors = {self.target: 0}
        hit = floors.get(role)
        if hit is None:
            target = self.target
            hit = floors[role] = 1 if any(to == target for _, to, _ in self.closure.successors(role)) else FAR
        return hit

    def _role_floors(self) -> dict[str, int]:
        """Breadth-first backwards from the target over the candidates of the closure's examined roles and of its
        sources (:meth:`Backward.successors`): each one's least number of hops to the target.

        The edges are read off the in-candidate rows the closure walked (:meth:`ClosureCache.role_rows`, built for
        every examined role), not off each node's successor list: ``node -> role`` is one of
        :meth:`Backward.successors` exactly when ``role`` is examined and its rows list ``node``, so the edges and the
        distances are the same, without building and filtering a successor list for every node of the closure (a
        hub of random:5 at 2,000 roles: ~100 ms of a ~450 ms query, loaded, against ~18 ms; distances do not depend
        on the order of the edges). ``tests/queries/test_role_floors.py`` compares the two."""
        closure = self.closure
        keep = closure.examined | closure.sources
        role_rows = closure.cache.role_rows
        back: dict[str, list[str]] = {}
        for role in closure.examined:
            nodes = [row[0] for row in role_rows(role) if row[0] in keep]
            if nodes:
                back[role] = nodes
        return levels_back([self.target], back)

    def _within(self, state: State, bound: int) -> bool:
        """Whether ``state`` is at most ``bound`` hops from the target over the carried-state graph (the hops after
        the first, as :meth:`_later_hops` expands them), proved by a search bounded by ``bound`` that remembers each
        state's distance once proved and a lower bound otherwise: within one hop asks only the state's candidates
        into the target (:meth:`_into_target`); a farther bound expands the state's successors (:meth:`_all_of`) and
        asks each within one hop less, for each distance in turn from the state's lower bound. A distance found so
        is the state's distance over the whole graph (every successor was shown farther at the smaller distances),
        the one the reference's levels give a state they make exact."""
        if state[0] == self.target:
            return True
        exact = self._exact.get(state)
        if exact is not None:
            return exact <= bound
        if state in self.walks.dead:
            return False  # a walk found neither the target nor an undecided hop from it
        if self.mfa_gate:
            return self._gated_within(state, bound)
        if self.deep and self._floor(state[0]) > bound:
            return False  # no state of its role is within bound: nothing asked
        least = self._atleast.get(state, 1)
        if least > bound:
            return False
        if least == 1:
            if self._into_target(state):
                self._exact[state] = 1
                return True
            least = self._atleast[state] = 2
            if bound < 2:
                return False
        successors = self._near_of(state, bound - 1) if self.deep else self._all_of(state)
        within = self._within
        for hops in range(least, bound + 1):
            if any(within(nxt, hops - 1) for nxt, _ in successors):
                self._exact[state] = hops
                return True
            self._atleast[state] = hops + 1
        return False

    def _gated_within(self, state: State, bound: int) -> bool:
        """:meth:`_within` when the target refuses every session without MFA (:attr:`mfa_gate`): a state without MFA
        is never within a bound, nothing asked; one with MFA is within one hop when one of its candidates into the
        target is Sat (asked as :meth:`_within` asks it), else never (every session it makes carries no MFA)."""
        if not state[1] or bound < 1 or self._atleast.get(state, 1) > 1:
            return False
        if self._into_target(state):
            self._exact[state] = 1
            return True
        self._atleast[state] = FAR
        return False

    def _into_target(self, state: State) -> Successors:
        """The successors of ``state`` (after the first hop) in the target's states, in the search's order: the ones
        of its kept or expanded successors, else its candidates into the target alone asked (:meth:`_hops_of`, the
        same questions the whole expansion asks for them, remembered with them)."""
        hit = self._into.get(state)
        if hit is None:
            target = self.target
            known = self._full.get(state)
            if known is None and self._flat is not None:
                kept = self._flat.get(state)
                if kept is not None and kept[0] == self.closure.successors(state[0]):
                    known = kept[1]
            if known is not None:
                hit = tuple(s for s in known if s[0][0] == target)
            else:
                hit = tuple(s for leads, _ in self._hops_of(state, 1, (), target) for s in leads)
            self._into[state] = hit
        return hit

    def _all_of(self, state: State) -> Successors:
        """Every successor of ``state`` after the first hop (:meth:`_later_hops`), remembered for the query."""
        hit = self._full.get(state)
        if hit is None:
            hit = self._full[state] = self._later_hops(state)[0]
        return hit

    def _near_of(self, state: State, limit: int) -> Successors:
        """The successors of ``state`` after the first hop (as :meth:`_all_of`, in the search's order) into the roles
        whose floor is at most ``limit`` (``deep``): the others are not within ``limit``, and their hops not asked
        unless the state was expanded whole already. Remembered for the query."""
        full = self._full.get(state)
        if full is None and self._flat is not None:
            kept = self._flat.get(state)
            if kept is not None and kept[0] == self.closure.successors(state[0]):
                full = kept[1]
        floor = self._floor
        if full is not None:
            floors = self._floor_map()
            at = floors.get if floors is not None else (lambda role, _far: floor(role))
            return tuple(s for s in full if at(s[0][0], FAR) <= limit)
        key = (state, limit)
        hit = self._near.get(key)
        if hit is None:
            asked = self._hops_of(state, 1, (), keep=lambda role: floor(role) <= limit)
            hit = self._near[key] = tuple(s for leads, _ in asked for s in leads)
        return hit

    def _lazy_step(self, state: State) -> tuple[State, HopWitness] | None:
        """:meth:`_step` of a state whose distance the lazy pass proved: the first successor, in the search's order,
        within one hop less (each successor is at least that far, so it is at exactly that distance)."""
        nearer = self._exact[state] - 1
        if nearer == 0:
            successors = self._into_target(state)
        else:
            successors = self._near_of(state, nearer) if self.deep else self._all_of(state)
        within = self._within
        return next(((nxt, w) for nxt, w in successors if within(nxt, nearer)), None)


def _one(edge: tuple[str, dict[str, Any]]) -> Callable[[str], tuple[tuple[str, dict[str, Any]], ...]]:
    """A candidate list of one edge, whatever the node."""
    return lambda _node: (edge,)


__all__ = ["CarriedPaths", "HopStore", "levels_back", "usable"]
