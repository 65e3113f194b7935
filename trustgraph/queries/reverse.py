"""Every source's shortest path to one role read off one reverse search, instead of one forward search per source.

:func:`trustgraph.queries.backward.backward_closure` decides the hops into every role that can lead to the target
(memoised in the engine: a later query asks them again for free). This module then runs one breadth-first search
*backwards* over those decided hops, from the target's states to every role state that reaches it
(:class:`ReversePaths`), which gives each state its number of hops to the target. A source's answer follows without
searching from it:

- its distance is one more than the least distance of the states its first hops land in (the first hop may carry
  the source's own constraints and the query's first-hop action, so it is decided as a forward search decides it);
- its path is the one the forward breadth-first search from it finds. That search lists a state's successors in a
  fixed order (the node's candidates in candidate order; for a symbolic AWS caller, the hop's MFA outcome and then
  the other), so its queue is sorted by the sequence of successor positions along each state's first path, and the
  path it finds to the target is the lexicographically least shortest path. The walk of :meth:`ReversePaths.result`
  builds exactly that one: from the source's first start state at the least distance, it takes at each step the
  first successor, in the search's order, whose distance is one less. The same hops (same memoised answers, same
  witnesses) make the same path, so the answer is the forward search's, field for field.

Cost: the closure (each hop decided once per engine), one pass over its decided hops, and per source the first hops
plus the candidates of the nodes on its path: O(closure + sources x path x candidates) memo lookups, no per-source
search. A source's first hops are asked in the search's order only while one could still be strictly nearer than
the best found so far (a tie goes to the first): the closure decides a source's hops only until one reaches the
target, and the others, past that bound, are never decided (an outsider or a federated provider trusted by many
roles of an organization would otherwise send each of them to the solver once). The answer itself (the path with
the session names of its hops agreed, :func:`trustgraph.queries.answers.agree_on_session_names`) is put together
without a search record: the part of a path after its first hop, agreed, is built once per state and shared by
every source whose first hop lands there, so a source costs its first hop, one agreement step and a tuple. The
usual source of a query many sources answer (a role whose own state's step, over decided hops, lands in a state whose
tail is built) is put together in one loop (:meth:`ReversePaths._one_step_tail`, ``GraphQueries.fast_answers``): its
node's rows up to the first one hop nearer, the hop's memoised witness, the session-name test read off the next
state's step (the agreement asked only when that step's caller is a named role session the hop's request does not
already name) and one join: on chain-heavy at 2,000 roles, 18.1 -> 15.5 us per answer of a warm query (CPU, loaded
machine; ``tests/queries/test_fast_answers.py`` compares it with ``fast_answers = False`` field by field, hop
questions in the same order). For a query from every source, every tail that loop can put together without asking
anything is built before the answers, nearest state first (:meth:`ReversePaths._ordered_tails`,
``GraphQueries.ordered_tails``; each state's rows kept across queries with their landings and the witnesses taken),
so that a source's answer is its start state's tail and no answer walks a chain of states without tails (a chain's
states were each built through the generic step and agreement): on chain-heavy at 20,000 roles (6,390 sources per
hub query, about 6,400 tails) a warm hub query went from about 90 to 70 ms of CPU (loaded machine; its answers from
about 10 to 3 us per source, the tails built first about 4 us per state); ``tests/queries/test_ordered_tails.py``
compares it with
``ordered_tails = False`` field by field, hop questions in the same order. The answers of such a query are then read
in one loop (:meth:`ReversePaths.answers`, ``GraphQueries.batch_answers``): a source whose start state has its tail
is answered with it, the result built without the dataclass's per-field initializer
(:func:`~trustgraph.queries.results.reachable_maker`), any other through :meth:`ReversePaths.result` in its turn;
with the ordered pass reading each witness's session names off its kept row and each built tail's step and names in
one lookup, the 77 hub queries of the bench's sample on chain-heavy at 20,000 roles went from a median of 116 to
99 ms of CPU (loaded machine); ``tests/queries/test_batch_answers.py`` compares it with ``batch_answers = False``
field by field, hop questions in the same order. The reference is the search per source
(``GraphQueries.layered = False``);
``tests/queries/test_reverse.py`` compares the two field by field.

What it does not answer (:meth:`ReversePaths.result` returns None and the caller searches from the source as
before): a source that only *may* reach the target (an undecided hop on the way: its answer is Unknown with the
reasons its own search meets), a source that is not a graph node, and every source of a query whose hops would hand
a session a source identity or transitive tags (a carried state: its distance is not a role state's) or that limits
the number of hops; :func:`usable` says which queries it answers at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from trustgraph.queries.agreed import END, AgreedPaths, join_tail, tail_approximations
from trustgraph.queries.answers import session_agreement
from trustgraph.queries.backward import ACTION_BY_TEXT, REACHES, walk_distances
from trustgraph.queries.results import Reach, ReachResult, reachable_maker
from trustgraph.semantics.request import Action, CallerKind

if TYPE_CHECKING:
    from trustgraph.queries.agreed import Tail
    from trustgraph.queries.backward import Backward
    from trustgraph.queries.engine import ReachabilityEngine, State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.results import HopWitness
    from trustgraph.smt.solve import KeyConstraint


#: farther than any distance: a role none of whose states reaches the target
_FAR = 1 << 30
#: a hop not decided when :meth:`ReversePaths._step_rows` kept it
_UNDECIDED: Any = object()
#: a witness whose session name needs no agreement (an escalation hop: :func:`_named_in`)
_ANY_NAME: Any = object()
#: a witness without a request: any session name after it needs an agreement (:func:`_named_in`)
_NO_REQUEST: Any = object()
#: an action -> its text (a dictionary lookup: the distance pass reads it for every hop)
_TEXT = {a: a.value for a in Action}
_REACHABLE = Reach.REACHABLE


def _named_in(witness: HopWitness) -> Any:
    """What the session-name test of :meth:`ReversePaths._one_step_tail` reads off the hop ``witness``:
    :data:`_ANY_NAME` for an escalation hop (no agreement), :data:`_NO_REQUEST` when it has no request, else the
    session name its request gives (``sts:rolesessionname``, or None). A witness never changes, so its rows keep it."""
    if witness.method is not None:
        return _ANY_NAME
    request = witness.evidence[2] if witness.evidence else None
    if request is None:
        return _NO_REQUEST
    return request.context.get("sts:rolesessionname")


def _caller_name(hop: HopWitness) -> str | None:
    """The session name of the caller of ``hop`` when it is a role session with one and the hop no escalation
    method, else None (:meth:`ReversePaths._names`)."""
    evidence = hop.evidence
    caller = evidence[0] if evidence else None
    if hop.method is None and caller is not None and caller.kind is CallerKind.ROLE_SESSION:
        return getattr(caller, "session_name", None)
    return None


class CarriedState(Exception):
    """A decided hop lands in a session that carries a source identity or transitive tags (not a role state)."""


def usable(engine: ReachabilityEngine, options: QueryOptions) -> bool:
    """Whether the reverse search answers this query: no hop limit, and an estate where no later policy reads what a
    session carries (:class:`trustgraph.queries.carry.CarryDemand`), so that every state is a role state."""
    return options.max_hops is None and not engine.demand


class ReversePaths:
    """The distances to one target of the role states of its closure, and each source's path read off them.

    Raises :class:`CarriedState` (from the constructor) when a decided hop of the closure lands in a carried state.
    """

    def __init__(self, engine: ReachabilityEngine, closure: Backward, options: QueryOptions, *,
                 outside_only: bool, landings: dict[Any, Any] | None = None, lean: bool = True,
                 quick: bool = False, fast: bool = False, listed: bool = False, ordered: bool = False) -> None:
        self.engine = engine
        #: the lean pass (``GraphQueries.lean_reverse``): a source whose path starts with its start state's own step
        #: is answered with that state's agreed tail (:meth:`AgreedPaths.own`) instead of its first hop joined to the
        #: next state's tail, and the distances and steps are read by loops that look hops up themselves
        #: (:meth:`_lean_distances`, :meth:`_first_nearer`) instead of through callbacks and generators; False: the
        #: reference, which tests compare it with
        self.lean = lean
        #: with ``lean``, the quick pass (``GraphQueries.lean_closure``): a source's step computed once, without the
        #: wrappers (:meth:`_next`), and a plain source read off the distances (:meth:`result`); False: the lean pass
        #: as it was, which tests compare it with
        self.quick = lean and quick
        #: no first-hop constraints nor first-hop action: a source's first hop is a hop like any later one
        self._plain = not outside_only and options.action is None
        #: options -> hop -> its kept Sat answer, the state it lands in and whether it produces MFA, or None
        #: (:meth:`_landing`); the caller may keep it across queries on the same engine
        kept = landings if landings is not None else {}
        self.landings: dict[tuple[Any, ...], tuple[Any, State, bool] | None] = kept.setdefault(options, {})
        #: node -> its start states (:meth:`ReachabilityEngine.start_states`: a function of the node and the engine),
        #: kept with the landings
        self._start_states: dict[str, tuple[State, ...]] = kept.setdefault("start states", {})
        self.closure = closure
        self.options = options
        self.outside_only = outside_only
        #: with ``lean``, the listed distance pass (``GraphQueries.listed_hops``, :meth:`_listed_distances`): each
        #: role's decided hops into it kept as a list of the states they bring one hop nearer; False: the lean pass
        #: as it was, which tests compare it with
        self.listed = lean and listed
        #: role -> its entries for :meth:`_listed_distances`, kept with the landings (the same hops, decided once)
        #: for the closure cache they were read from (a new cache: lists built anew)
        self._into_lists: dict[Any, Any] = {}
        if self.listed:
            lists = self._into_lists = kept.setdefault(("into lists", options), {})
            if lists.get(None) is not closure.cache:
                lists.clear()
                lists[None] = closure.cache
        self.dist = self._distances()
        self._steps: dict[State, tuple[State, str, Action, Any, HopWitness] | None] = {}
        self._nexts: dict[State, tuple[State, HopWitness] | None] = {}  # :meth:`_next`, per state
        #: the answers read off the steps (:meth:`_step`), the agreed part of each path after its first hop shared
        self.agreed = AgreedPaths(engine, options, closure.target, self._next)
        #: with ``quick``, the fast answers (``GraphQueries.fast_answers``): the usual source's tail (its start
        #: state's step, over decided hops, landing in a state whose tail is built) put together in one loop
        #: (:meth:`_one_step_tail`); False: the quick pass as it was, which tests compare it with
        self.fast = self.quick and fast
        #: state -> the session name of its step's caller that an agreement may ask for, or None (:meth:`_names`)
        self._named: dict[State, str | None] = {}
        #: with ``fast``, for a query from every source (``GraphQueries.ordered_tails``): every tail the fast loop
        #: can put together without a question built first, nearest state first (:meth:`_ordered_tails`), so that a
        #: source's answer is its start state's tail and no answer walks a chain of states; False: the tails built
        #: as the answers need them, which tests compare it with (same answers, same questions in the same order)
        self.ordered = self.fast and ordered
        #: with ``ordered``: state -> (its node's rows in the closure cache, their number, the rows as
        #: :meth:`_ordered_tails` reads them), kept with the landings (:meth:`_step_rows`)
        self._rows: dict[State, tuple[list[Any], int, list[list[Any]]]] = {}
        if self.ordered:
            self._rows = kept.setdefault(("step rows", options), {})
        self._target_rows: dict[str, list[tuple[tuple[int, int], str, dict[str, Any]]]] | None = None
        #: role -> the least distance of its states (a hop into a role whose states are all farther is skipped)
        self.best: dict[str, int] = {}
        for (node, *_), hops in self.dist.items():
            if hops < self.best.get(node, _FAR):
                self.best[node] = hops
        if self.ordered:
            self._ordered_tails()

    # ---------------------------------------------------------------------------------------------- distances
    def _distances(self) -> dict[State, int]:
        """Hops from every role state of the closure that reaches the target to the target, by a breadth-first
        search backwards over the hops the forward search takes after its first (no first-hop constraints)."""
        if self.listed:
            return self._listed_distances()
        if self.lean:
            return self._lean_distances()
        return walk_distances(self.engine.G, self.closure, self._lands_without_mfa)

    def _lean_distances(self) -> dict[State, int]:
        """:func:`~trustgraph.queries.backward.walk_distances` with :meth:`_lands_without_mfa`, its hop look-up
        written into the loop (the pass reads every hop into every role of the closure, each query)."""
        closure, landings = self.closure, self.landings
        into, status, target = closure.cache.into, closure.status, closure.target
        dist: dict[State, int] = {(target, False): 0, (target, True): 0}
        frontier = [target]  # roles whose session without MFA is `depth` hops from the target
        depth = 0
        while frontier:
            later: list[str] = []
            for role in frontier:
                for node, action in into.get(role, ()):
                    text = _TEXT[action]
                    for state in ((node, False), (node, True)):
                        if state in dist or status.get(state) != REACHES:
                            continue
                        hop: Any = landings.get((state, role, text, ()), landings)
                        if hop is landings:
                            hop = self._landing(state, role, action, text, ())
                        if hop is None:
                            continue
                        landed = hop[1]
                        if len(landed) == 3:
                            raise CarriedState(role)
                        if landed == (role, False):
                            dist[state] = depth + 1
                            if not state[1]:
                                later.append(node)
            frontier = later
            depth += 1
        return dist

    def _listed_distances(self) -> dict[State, int]:
        """:meth:`_lean_distances` over each role's entries (:meth:`_into_entries`): a decided hop that lands in the
        role's session without MFA is its caller state alone (no key, no look-up, no test of where it lands); a hop
        not decided (or landing in a carried state) is asked through :meth:`_lands_without_mfa` at the same point of
        the walk (the same questions in the same order), and the role's entries are built again the next time it is
        read; a decided hop that lands elsewhere is left out (it gives no distance)."""
        closure, lists = self.closure, self._into_lists
        into, status, target = closure.cache.into, closure.status, closure.target
        dist: dict[State, int] = {(target, False): 0, (target, True): 0}
        frontier = [target]  # roles whose session without MFA is `depth` hops from the target
        depth = 0
        while frontier:
            later: list[str] = []
            for role in frontier:
                entries = lists.get(role)
                if entries is None:
                    entries = lists[role] = self._into_entries(role, into.get(role, ()))
                asked = False
                for state, plain, action in entries:
                    if state in dist or status.get(state) != REACHES:
                        continue
                    if plain:
                        dist[state] = depth + 1
                        if not state[1]:
                            later.append(state[0])
                        continue
                    asked = True  # the role's entries are built again when next read (this hop may be decided now)
                    if self._lands_without_mfa(state, role, action):
                        dist[state] = depth + 1
                        if not state[1]:
                            later.append(state[0])
                if asked:
                    del lists[role]
            frontier = later
            depth += 1
        return dist

    def _into_entries(self, role: str, into: tuple[tuple[str, Action], ...]) -> list[tuple[State, bool, Action]]:
        """The entries of ``role`` for :meth:`_listed_distances`, in the order :meth:`_lean_distances` reads its
        hops: (caller state, True, action) for a decided hop landing in the role's session without MFA, (caller
        state, False, action) for one not decided or landing in a carried state (looked up when read); nothing for
        one that is not Sat or lands in another state, and nothing for a session with MFA that is not one of the
        node's caller states (:meth:`ClosureCache.states_of`: the closure gives it no status)."""
        landings, states_of = self.landings, self.closure.cache.states_of
        plain = (role, False)
        entries: list[tuple[State, bool, Action]] = []
        for node, action in into:
            text = _TEXT[action]
            for state in states_of(node):  # a state the closure gives no status never reaches the target
                hop: Any = landings.get((state, role, text, ()), landings)
                if hop is landings:
                    entries.append((state, False, action))
                elif hop is not None:
                    landed = hop[1]
                    if len(landed) == 3:
                        entries.append((state, False, action))
                    elif landed == plain:
                        entries.append((state, True, action))
        return entries

    def _lands_without_mfa(self, state: State, role: str, action: Action) -> bool:
        """The forward search's hop from ``state`` into ``role`` lands in its session without MFA (a hop that
        carries a source identity or tags is not for this pass: :class:`CarriedState`)."""
        hop = self._landing(state, role, action, action.value, ())
        if hop is None:
            return False
        landed = hop[1]
        if len(landed) == 3:
            raise CarriedState(role)
        return bool(landed == (role, False))

    # ------------------------------------------------------------------------------------------- successors
    def _landing(self, state: State, role: str, action: Action, text: str, extra: tuple[KeyConstraint, ...]
                 ) -> tuple[Any, State, bool] | None:
        """A hop as the forward search takes it (``text``: the action's): None when it is not Sat, else the answer it
        keeps (one that sets no source identity or transitive tags when the hop allows one), the state it lands in
        and whether it produces MFA (memoised per hop)."""
        key = (state, role, text, extra)
        landed = self.landings.get(key, self.landings)
        if landed is not self.landings:
            return landed  # type: ignore[return-value]
        from trustgraph.smt.solve import Sat

        engine = self.engine
        result = engine.decide(state, role, action, self.options, extra)
        landed = None
        if isinstance(result, Sat):
            result = engine.settle_carried(state, role, action, self.options, extra, result)
            landed = (result, engine.next_state(role, result), engine.produces_mfa(result))
        self.landings[key] = landed
        return landed

    def _successors(self, state: State, depth: int, extra: tuple[KeyConstraint, ...], within: int | list[int]
                    ) -> Iterator[tuple[State, str, Action, Any]]:
        """The successors of ``state`` in the forward search's order (:meth:`ReachabilityEngine.successors`), as
        (next state, role, action, Sat answer), leaving out the hops into roles none of whose states is within
        ``within`` hops of the target (they cannot be on a shortest path), and a symbolic AWS caller's other MFA
        outcome unless its session is nearer the target than the first outcome's (only then can a path take it).

        The closure's candidates of a node are its in-candidates of the roles examined, which hold a hub's edge that
        needs an identity-policy allow only for the members the identity filter keeps (the search's filter,
        :meth:`HopCandidates.may_assume`): it is not applied again here."""
        from trustgraph.smt.solve import Sat

        engine, options, best, dist = self.engine, self.options, self.best, self.dist
        node = state[0]
        query_action = options.action if depth == 0 else None
        # a bound the caller may lower as it goes (a one-element list, read before each candidate): a candidate that
        # cannot be nearer than what the caller holds is not asked (its hop is not decided)
        bound = within if isinstance(within, list) else [within]
        # within 0 hops only the target's own states are: the node's candidates into it (its rows), not its whole
        # list (a member of an organization hub has a candidate into every role trusting the organization)
        listed = self._into_target(node) if bound[0] == 0 else self.closure.successors(node)
        for _, role, data in listed:
            within = bound[0]
            if best.get(role, _FAR) > within:
                continue
            text = data["action"]
            action = ACTION_BY_TEXT[text]
            if query_action is not None and action is not query_action:
                continue
            hop = self._landing(state, role, action, text, extra)
            if hop is None:
                continue
            result, nxt, produced = hop
            if len(nxt) == 3:
                raise CarriedState(role)
            yield nxt, role, action, result
            # the other MFA outcome, only when its session is nearer the target than this one's: a successor after
            # this one in the search's order at the same or a greater distance is never the one a path takes
            other_hops = dist.get((role, not produced), _FAR)
            nearer = other_hops < dist.get(nxt, _FAR) and other_hops <= within
            if nearer and engine.flips_mfa(node, action, role):
                alt = engine.decide(state, role, action, options, (*extra, engine.flip(produced)))
                if isinstance(alt, Sat) and engine.produces_mfa(alt) is not produced:
                    other = engine.next_state(role, alt)
                    if len(other) == 3:
                        raise CarriedState(role)
                    yield other, role, action, alt

    def _into_target(self, node: str) -> list[tuple[tuple[int, int], str, dict[str, Any]]]:
        """:meth:`Backward.successors` of ``node`` into the target only, in the node's candidate order (the target's
        rows indexed by node once per query)."""
        index = self._target_rows
        if index is None:
            index = self._target_rows = {}
            target = self.closure.target
            for u, data, key, *_ in self.closure.cache.role_rows(target):
                index.setdefault(u, []).append((key, target, data))
            for entries in index.values():
                entries.sort(key=lambda item: item[0])
        return index.get(node, [])

    def _step(self, state: State) -> tuple[State, str, Action, Any, HopWitness] | None:
        """The hop a forward search takes from ``state`` (reached after its first hop) on its path to the target:
        the first successor, in the search's order, one hop nearer, with its witness; the same whatever the path
        before ``state`` (memoised per state, so sources whose paths meet share the rest)."""
        steps = self._steps
        if state in steps:
            return steps[state]
        nearer = self.dist[state] - 1
        if self.lean:
            step = steps[state] = self._first_nearer(state, nearer)
            return step
        dist = self.dist
        step = None
        for nxt, role, action, result in self._successors(state, 1, (), nearer):
            if dist.get(nxt) == nearer:
                step = (nxt, role, action, result, self.engine.witness(state, role, action, result))
                break
        steps[state] = step
        return step

    def _first_nearer(self, state: State, nearer: int) -> tuple[State, str, Action, Any, HopWitness] | None:
        """The first of :meth:`_successors` of ``state`` after a first hop (``depth`` 1, no constraints, bound
        ``nearer``) that lands ``nearer`` hops from the target, with its witness: the same loop without the generator
        and without the closure's per-node candidate list. A node's rows in the closure cache (:meth:`ClosureCache.
        out_of`, in candidate order) hold the closure's candidates of the node and the rows of roles other closures
        examined; those are skipped by the distance test, as only roles this closure examined have states with a
        distance (:meth:`ReversePaths.best`)."""
        from trustgraph.smt.solve import Sat

        engine, dist, best, landings = self.engine, self.dist, self.best, self.landings
        node = state[0]
        listed = self._into_target(node) if nearer == 0 else self.closure.cache.out_of(node)
        for _, role, data in listed:
            if best.get(role, _FAR) > nearer:
                continue
            text = data["action"]
            action = ACTION_BY_TEXT[text]
            hop: Any = landings.get((state, role, text, ()), landings)
            if hop is landings:
                hop = self._landing(state, role, action, text, ())
            if hop is None:
                continue
            result, nxt, produced = hop
            if len(nxt) == 3:
                raise CarriedState(role)
            here = dist.get(nxt, _FAR)
            if here == nearer:
                return nxt, role, action, result, engine.witness(state, role, action, result)
            # the other MFA outcome, as _successors yields it after this one
            other_hops = dist.get((role, not produced), _FAR)
            if other_hops < here and other_hops <= nearer and engine.flips_mfa(node, action, role):
                alt = engine.decide(state, role, action, self.options, (engine.flip(produced),))
                if isinstance(alt, Sat) and engine.produces_mfa(alt) is not produced:
                    other = engine.next_state(role, alt)
                    if len(other) == 3:
                        raise CarriedState(role)
                    if dist.get(other) == nearer:
                        return other, role, action, alt, engine.witness(state, role, action, alt)
        return None

    # ------------------------------------------------------------------------------------------------ answers
    def result(self, label: str, starts: tuple[str, ...]) -> ReachResult | None:
        """The answer of the forward search from ``starts`` (named ``label``) for the target, as
        :meth:`ReachabilityEngine.result_for` gives it off that search's record: the path it finds, each hop naming
        the session the next hop's caller is (:func:`trustgraph.queries.answers.agree_on_session_names`). None when
        the decided hops give no path (the source may reach the target only through an undecided hop, or not at
        all), a start is not a graph node, or a hop on the way lands in a carried state: the caller then searches.

        The part of the path after its first hop, agreed, is built once per state and shared
        (:class:`~trustgraph.queries.agreed.AgreedPaths`)."""
        try:
            if self.quick and len(starts) == 1:
                # one source without first-hop constraints (not outside_only, no first-hop action) whose start states
                # are all states of the reverse pass: what _begin gives, read off the distances
                node = starts[0]
                states = self._start_states.get(node)  # kept only for graph nodes
                if states is not None and node != self.closure.target and self._plain:
                    dist = self.dist
                    best: State | None = None
                    for start in states:
                        hops = dist.get(start)
                        if hops is None:
                            best = None
                            break
                        if best is None or hops < dist[best]:
                            best = start
                    if best is not None:
                        if self.fast:
                            tail = self.agreed.tails.get(best) or self._one_step_tail(best)
                            if tail is not None:
                                return ReachResult(source=label, target=self.closure.target, verdict=_REACHABLE,
                                                   hops=tail[0], approximations=tail[3])
                        return self.agreed.own(label, best)
            begun = self._begin(starts)
            if begun is None:
                return None
            state, extra, first = begun
            if first is None:  # no first-hop constraints and the start state's own step: the state's tail
                return self.agreed.own(label, state)
            landed, _, _, _, witness = first
            return self.agreed.result(label, state, extra, landed, witness)
        except CarriedState:
            return None

    def answers(self, nodes: Iterable[str]) -> Iterator[tuple[str, ReachResult | None]]:
        """Each of ``nodes`` with :meth:`result` of it as its own source (label: the node), in turn (a caller may ask
        questions between two: each answer is read when the next is asked for), in one loop: a plain source with one
        start state whose tail is built (what :meth:`_ordered_tails` leaves for almost every source of a query from
        every source) is answered with that tail, read as :meth:`result` reads it; any other goes through
        :meth:`result`. A source with several start states (an IAM user, with MFA and without) goes there too: the
        reverse pass gives distances to role states only, so its start states never all have one
        (``tests/queries/test_batch_answers.py`` holds that and compares its answers)."""
        make = reachable_maker()
        result, tails, start_states = self.result, self.agreed.tails, self._start_states
        target = self.closure.target
        if not (self.fast and self._plain):
            for node in nodes:
                yield node, result(node, (node,))
            return
        for node in nodes:
            states = start_states.get(node)
            if states is not None and len(states) == 1 and node != target:
                # a tail is built only for a state with a distance: its start state's tail, or result() reads it
                tail = tails.get(states[0])
                if tail is not None:
                    yield node, make(node, target, tail[0], tail[3])
                    continue
            yield node, result(node, (node,))

    def _begin(self, starts: tuple[str, ...]
               ) -> tuple[State, tuple[KeyConstraint, ...], tuple[State, str, Action, Any, HopWitness] | None] | None:
        """The first start state (in the forward search's order) at the least distance to the target, its node's
        first-hop constraints and its first hop one nearer (next state, role, action, answer, witness); None when
        no start reaches the target over the decided hops, or a start is the target or not a graph node. With
        ``lean``, the first hop is None when it is the start state's own step (no first-hop constraints, a
        state the reverse pass reached): its path is then the state's agreed tail."""
        engine, dist, target = self.engine, self.dist, self.closure.target
        best: tuple[int, State, tuple[KeyConstraint, ...], tuple[State, str, Action, Any] | None] | None = None
        for node in starts:
            if node == target or node not in engine.G:  # a virtual source is no graph node
                return None
            extra = engine.source_constraints(node, outside_only=self.outside_only)
            if extra is None:
                continue
            states = self._start_states.get(node)
            if states is None:
                states = self._start_states[node] = engine.start_states(node)
            for start in states:
                if not extra and self.options.action is None and start in dist:
                    # its first hop is decided as any later one: the reverse pass knows its distance
                    if best is None or dist[start] < best[0]:
                        best = (dist[start], start, extra, None)
                    continue
                # only a first hop strictly nearer than the best so far can replace it (the first in the search's
                # order wins a tie): the bound falls as better hops are found, and the hops past it are not asked
                within = [(best[0] - 2) if best is not None else _FAR - 1]
                for succ in self._successors(start, 0, extra, within):
                    hops = dist.get(succ[0])
                    if hops is not None and (best is None or hops + 1 < best[0]):
                        best = (hops + 1, start, extra, succ)
                        within[0] = hops - 1
        if best is None:
            return None
        hops_to, state, extra, first = best
        if first is not None and dist.get(state, _FAR) < hops_to - 1:
            return None  # the rest of the path would pass through the start again: the forward search never does
        if first is None:
            if self.lean:
                return state, extra, None
            step = self._step(state)
            return None if step is None else (state, extra, step)
        return state, extra, (*first, engine.witness(state, first[1], first[2], first[3]))

    def _ordered_tails(self) -> None:
        """The tails of every state of the distance pass that the fast loop puts together without asking anything,
        built nearest first (:attr:`ordered`), in one loop: a state one hop from the target by its first Sat hop
        into it (what :meth:`AgreedPaths.own` builds: the hop alone), a farther one as :meth:`_one_step_tail` builds
        it over the tail of the state it steps to, built just before. A state whose step meets an undecided hop, the
        other MFA outcome or a carried state, or whose session names need an agreement, gets no tail here (nor does
        any state whose step leads through it): the answers build those as before, asking the same questions in the
        same order, since nothing here asks one. A tail is a function of the decided hops it reads (their memoised
        answers and witnesses), so building it here or later gives the same."""
        dist, best, landings, nexts = self.dist, self.best, self.landings, self._nexts
        tails, step_rows, witness_of = self.agreed.tails, self._step_rows, self.engine.witness
        kept_rows, cache = self._rows, self.closure.cache
        out_rows, unsorted = cache.out_rows, cache.unsorted
        #: state -> (its tail built here, the session name of its step's caller: what _names gives): a state has a
        #: tail here exactly when it has one in ``tails`` (empty before this loop) and its step in ``nexts``
        done: dict[State, tuple[Tail, str | None]] = {}
        for start, hops in dist.items():  # in the order the pass found them: nearest first
            if hops == 0:
                continue
            nearer = hops - 1
            taken = None
            if nearer == 0:  # _first_nearer's loop over the node's hops into the target: the first Sat one
                for _, role, data in self._into_target(start[0]):
                    text = data["action"]
                    hop: Any = landings.get((start, role, text, ()), landings)
                    if hop is None:
                        continue
                    if hop is not landings and len(hop[1]) != 3:  # not undecided, not a carried state
                        taken = (hop[1], witness_of(start, role, ACTION_BY_TEXT[text], hop[0]))
                    break
                if taken is not None:
                    nexts[start] = taken
                    last = (taken[1],)
                    first: Tail = (last, False, (taken[0],), tail_approximations(last, END))
                    tails[start] = first
                    done[start] = (first, _caller_name(taken[1]))
                continue
            # _step_rows, its test of the rows kept written here (it is read for every state of the pass)
            kept = kept_rows.get(start)
            node = start[0]
            if kept is not None and node not in unsorted and kept[0] is out_rows.get(node) \
                    and kept[1] == len(kept[0]):
                rows = kept[2]
            else:
                rows = step_rows(start)
            entry: list[Any] = []
            for entry in rows:  # _one_step_tail's loop over the node's rows, kept across queries
                role = entry[0]
                if best.get(role, _FAR) > nearer:
                    continue
                hop = entry[2]
                if hop is _UNDECIDED:  # not decided when the row was kept: looked up again
                    hop = landings.get((start, role, entry[1], ()), landings)
                    if hop is landings:
                        break
                    entry[2] = hop
                if hop is None:
                    continue
                result, nxt, produced = hop
                if len(nxt) == 3:
                    break
                here = dist.get(nxt, _FAR)
                if here == nearer:
                    witness = entry[3]
                    if witness is None:
                        witness = entry[3] = witness_of(start, role, ACTION_BY_TEXT[entry[1]], result)
                        entry[4] = _named_in(witness)
                        entry[5] = _caller_name(witness)
                    taken = (nxt, witness)
                    break
                other_hops = dist.get((role, not produced), _FAR)
                if other_hops < here and other_hops <= nearer:
                    break
            if taken is None:
                continue
            nexts[start] = taken
            nxt, witness = taken
            built = done.get(nxt)  # its tail and step (tails.get, nexts.get) and its step's session name (_names)
            if built is None:
                continue
            rest, name = built
            if name is not None:
                names = entry[4]  # the session name the hop's request gives (_named_in)
                if names is not _ANY_NAME and (names is _NO_REQUEST or names != (name,)):
                    continue  # the agreement asks a question: in its turn, when an answer needs this tail
            joined = (witness, *rest[0])  # join_tail without an agreement
            own = witness.approximations  # tail_approximations: the tail's first hop is not noted
            joined_tail: Tail = (joined, False, (nxt, *rest[2]),
                                 rest[3] if not own else tuple(dict.fromkeys((*own, *rest[3]))))
            tails[start] = joined_tail
            done[start] = (joined_tail, entry[5])

    def _step_rows(self, start: State) -> list[list[Any]]:
        """The rows of ``start``'s node in the closure cache (:meth:`ClosureCache.out_of`, in candidate order) as
        :meth:`_ordered_tails` reads them: [role, action text, the hop's landing (:meth:`_landing`'s memo: None when
        not Sat), its witness once taken], the landing :data:`_UNDECIDED` for a hop not decided when the rows were
        made (looked up again when read). Kept across queries while the node's rows are the same list of the same
        length (rows are only added to it); a landing never changes once decided, nor does the witness of its
        answer (:meth:`ReachabilityEngine.witness`)."""
        out = self.closure.cache.out_of(start[0])
        kept = self._rows.get(start)
        if kept is not None and kept[0] is out and kept[1] == len(out):
            return kept[2]
        landings = self.landings
        rows: list[list[Any]] = []
        for _, role, data in out:
            text = data["action"]
            rows.append([role, text, landings.get((start, role, text, ()), _UNDECIDED), None, None, None])
        self._rows[start] = (out, len(out), rows)
        return rows

    def _one_step_tail(self, start: State, ask: bool = True) -> Tail | None:
        """The tail :meth:`AgreedPaths.own` builds for ``start`` when its step (:meth:`_first_nearer`, at least two
        hops from the target) is over decided hops and lands in a state whose tail is built: the same step, witness,
        session agreement and join, in the same order, without the calls between them. None (having asked nothing
        new) in every other case (an undecided hop, the other MFA outcome, a chain of states without tails, the last
        hop into the target): :meth:`AgreedPaths.own` then builds it as before, reading the step kept here if one
        was found. Without ``ask`` (:meth:`_ordered_tails`), None too where the session-name agreement would ask a
        question."""
        nexts = self._nexts
        taken: Any = nexts.get(start, nexts)
        if taken is nexts:
            nearer = self.dist[start] - 1
            if nearer == 0:
                return None
            best, dist, landings = self.best, self.dist, self.landings
            taken = None
            for _, role, data in self.closure.cache.out_of(start[0]):  # _first_nearer's loop, decided hops only
                if best.get(role, _FAR) > nearer:
                    continue
                text = data["action"]
                hop: Any = landings.get((start, role, text, ()), landings)
                if hop is None:
                    continue
                if hop is landings:
                    return None  # undecided: _first_nearer asks it
                result, nxt, produced = hop
                if len(nxt) == 3:
                    return None  # a carried state: _first_nearer raises CarriedState
                here = dist.get(nxt, _FAR)
                if here == nearer:
                    taken = (nxt, self.engine.witness(start, role, ACTION_BY_TEXT[text], result))
                    break
                other_hops = dist.get((role, not produced), _FAR)
                if other_hops < here and other_hops <= nearer:
                    return None  # the other MFA outcome may be nearer: _first_nearer asks it
            if taken is None:
                return None
            nexts[start] = taken
        if taken is None:
            return None
        nxt, witness = taken
        tails = self.agreed.tails
        rest = tails.get(nxt)
        following = nexts.get(nxt)
        if rest is None or following is None:
            return None
        name = self._named.get(nxt, self._named)
        if name is self._named:
            name = self._names(nxt, following[1])
        again = note = None
        if name is not None and witness.method is None:  # the rest of session_agreement's test, then the agreement
            request = witness.evidence[2] if witness.evidence else None
            if request is None or request.context.get("sts:rolesessionname") != (name,):
                if not ask:
                    return None  # the agreement asks a question: in its turn, when an answer needs this tail
                again, note = session_agreement(self.engine, self.options, start, nxt, witness, following[1], ())
        hops = join_tail(witness, rest, again, note)
        tail: Tail = (hops, again is not None, (nxt, *rest[2]), tail_approximations(hops, rest))
        tails[start] = tail
        return tail

    def _names(self, state: State, hop: HopWitness) -> str | None:
        """The session name of the caller of ``hop`` (the step out of ``state``) when it is a role session with one
        and the hop no escalation method, else None: the part of the test of
        :func:`~trustgraph.queries.answers.session_agreement` that reads the later hop only (None: the agreement is
        (None, None) whatever the hop before); memoised per state in :attr:`_named`."""
        name = self._named[state] = _caller_name(hop)
        return name

    def _next(self, state: State) -> tuple[State, HopWitness] | None:
        """:meth:`_step` as :class:`~trustgraph.queries.agreed.AgreedPaths` reads it: (next state, witness)."""
        nexts = self._nexts
        hit: Any = nexts.get(state, nexts)
        if hit is nexts:
            step = self._first_nearer(state, self.dist[state] - 1) if self.quick else self._step(state)
            hit = nexts[state] = None if step is None else (step[0], step[4])
        return hit  # type: ignore[no-any-return]


__all__ = ["CarriedState", "ReversePaths", "usable"]
