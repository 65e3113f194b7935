"""Forward searches from many sources that share their hop work: what a state's session can do next is worked out
once per (state, options) and replayed by every search that reaches the state.

A search from one source (:meth:`~trustgraph.queries.engine.ReachabilityEngine.search`) expands each state it
reaches: it lists the state's candidate roles (an account hub's hundreds of edges for a role session), asks each hop
(memoised, but each ask still builds its key, the next state and its witness) and skips the roles it already reached.
When hundreds of sources are searched one after the other (the outside accounts a vendor-heavy organization names,
the federated providers outside the zone), the same states are expanded again by every search that reaches them.

Here a state is expanded once per options into its candidate hops, in the reference's order, each with a slot for
its *move*: the states a Sat hop leads to (with their witnesses), or the reason an undecided hop is undecided, or
blocked. A search walks the hops of the states it reaches and applies the filters of the reference search that depend
on what it already reached (a role session carrying nothing skips the roles it already holds a plain session of); a
hop it does not skip is decided the first time some search takes it (so exactly the hops the reference searches ask
are asked) and replayed by every later one. So each search visits the same states in the same order, with the same
parents, witnesses and undecided hops, as the reference search from the same source
(``tests/checks/test_shared_searches.py`` compares them search by search); blocked hops are not recorded, so an
outcome of :meth:`SharedSearches.search` answers reachable and undecided targets only (no reasons for unreachable
ones).

A move keeps the answers of a Sat hop, not its witness: a search's outcome (:class:`SharedOutcome`) builds the
witnesses of the hops on a path when the path is read (:meth:`SharedOutcome.path_to`, with the engine's
:meth:`~trustgraph.queries.engine.ReachabilityEngine.witness`: the witness the reference search builds for the hop).
A check that cites a few roles of each source (external-path-to-admin: the admin roles) has the witnesses of those
paths built, not one per hop the searches take (at 20,000 roles of the vendor-heavy profile the searches take
~180,000 Sat hops; the cited paths use a few thousand).

Cost: every (state, candidate hop) is decided at most once per options for all the sources together, O(V + E') hop
questions for V nodes and E' candidate hops (a state is a node with its MFA and carried facts); a source then walks
the states it reaches over their hops not known to be blocked, without asking: O(its answers x their Sat hops).
Witnesses: O(length) per path read, each hop's built once (kept by the engine). A plain role session's hop that its
class answers (most of a hub's hops) is decided and filed in one step (:func:`~trustgraph.queries.classmoves.
class_move`; ``class_moves = False``: through :meth:`move`, the reference), its move the Sat answer itself (a Sat
move, ``bare_moves``; False: the one lead it stands for, the reference).

Memory: what is kept per decided hop is shared where the hops repeat it: a move holds the tuple of the states it leads
to, kept there only (not also in the engine's memo of leads: ~21 MB at 20,000 roles), one lead kept bare
(:func:`compact`), or, for a hop whose one lead is the plain state of its role, not left out, its Sat answer alone
(``bare_moves``: no lead tuple; the hops :func:`~trustgraph.queries.classmoves.class_move` answers, ~158,000 at 20,000
roles of the vendor-heavy profile, and those decided through :meth:`move`: at 2,000 roles all of the 11,928 bare
leads kept before), the candidate hops of
every state are one (role, action) tuple per pair for all the states, a role session carrying nothing lists its hubs'
hops from one tuple per (hub, resource shape of its identity policies, account, action filter), which is its hops
itself when it has no edge of its own and one hub (:meth:`SharedSearches._plain_hops`; ``hub_lists = False`` lists
them edge by edge, the reference), and the answers the hop classes carry over to each caller hold one request per
content (:func:`~trustgraph.semantics.request.interned_request`), whose witnesses show one context per request.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind, graph_version
from trustgraph.queries.carry import carried_of
from trustgraph.queries.classmoves import class_move
from trustgraph.queries.replay import Replay
from trustgraph.queries.sharedmoves import (
    BLOCKED,
    BaseChecks,
    Expansion,
    Lead,
    Leads,
    Move,
    Parts,
    SharedOutcome,
    compact,
    leads_of,
)
from trustgraph.semantics.request import Action
from trustgraph.smt.results import Sat, Unknown

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.memorows import MemoRows
    from trustgraph.queries.options import QueryOptions
    from trustgraph.smt.solve import KeyConstraint


class SharedSearches:
    """The moves of every state expanded so far, per options, and the searches that replay them. Owned by a
    :class:`~trustgraph.queries.graph_queries.GraphQueries` (the graph and the engine's analysis time do not change
    under it)."""

    #: False: every hop decided through :meth:`move` (the reference :func:`~trustgraph.queries.classmoves.class_move`
    #: is tested against; set on the class, it switches every instance a scan makes)
    class_moves = True
    #: False: a Sat hop whose one lead is the plain state of its role keeps its :data:`Lead` as its move (the
    #: reference); True: its Sat answer itself (a Sat move, :data:`Lead`; set on the class, it switches every instance)
    bare_moves = True
    #: True: a hop of a search under options that only add absent / not-like keys (no ExternalId, no MFA) that the
    #: search under the options without them took as a Sat move gets that move when the engine would derive it
    #: from that answer (:meth:`_base_sat`: filed as the engine files it), without the engine's decision path and
    #: the leads made again; False: every such hop is decided through :meth:`move` (the reference; set on the
    #: class, it switches every instance)
    derived_moves = True
    #: True: :meth:`Replay.advance` finds the expansion of a state past the source in a table per options, keyed by
    #: the state alone, instead of hashing the four-part key of :attr:`_expansions` per state (460,757 lookups at
    #: 20,000 roles of the vendor-heavy profile); False: through :meth:`expansion` (the reference; set on the
    #: class). The same expansion objects either way
    state_tables = True
    #: True: :meth:`_base_sat` reads what is the same for every hop of an expansion once per expansion
    #: (:class:`BaseChecks`), and whether a Sat answer's request meets the hop's constraints is not tested again
    #: when the hop before asked it of the same request and constraints (the requests are interned: a caller's
    #: answers into the roles of a hub share one; at 2,000 roles of the vendor-heavy profile 4,387 of 8,275 tests,
    #: where a memo of every pair would answer 4,465 and hold 3,810 entries), instead of every test per hop (231,498
    #: hops at 20,000 roles, on the scan process's path); False: every test per hop (the reference; set on the
    #: class). The same moves either way
    base_checks = True
    #: True: a state's hops read and write the engine's memo rows of the state once found
    #: (:mod:`trustgraph.queries.memorows`: :func:`~trustgraph.queries.memorows.row_class_move` and
    #: :meth:`_base_sat_rows`) instead of three nested look-ups per hop and memo (with ``base_checks`` and the
    #: engine's nested memos); False: :func:`~trustgraph.queries.classmoves.class_move` and :meth:`_base_sat` per hop
    #: (the reference; set on the class). The same moves and engine memos either way
    memo_rows = True
    #: True: a search walks a plain session's hops part by part (:attr:`Expansion.parts`: its own edges, then each
    #: hub's tuple), each part's hops into roles the search has already reached dropped the first time it meets them
    #: (:attr:`Replay._left`), so the next member state of the same hub walks only the rest: a plain session takes a
    #: hop only when the search has not reached the plain state of its role, and that only grows (random:2 at 2,000
    #: roles: 555,863 hops walked, 520,133 of them into reached roles -> 150,883). A hop not dropped is taken as
    #: before, in the same order (the parts in order, indexes ascending); a hop blocked for this state (a
    #: :data:`BLOCKED` slot, which :attr:`Expansion.live` leaves out) reaches nothing either way. False: every live
    #: hop of each state walked (the reference; set on the class)
    part_walks = True
    #: True (with :attr:`part_walks`): a hub's part for one (resource shape, account) that holds at least half of the
    #: hub's hops is walked as the hub's whole list (:meth:`_share_base`), its hops that are not the part's left in
    #: the list and passed over, so the states of every shape and account of the hub drop a reached role once per
    #: search, not once per part (random:2: 290 parts of 20 hubs at 2,000 roles; at 20,000 roles 79,967,257 hops
    #: walked for the federated providers, 76,296,267 of them into roles already reached). The part's hops are taken
    #: as before, in the same order (the part is the list with some hops left out, in order), each into a role not
    #: reached when it is met. False: each part walked on its own (the reference; set on the class)
    shared_parts = True
    #: True (with :attr:`class_moves`): the hops of a role node's state that is not a plain session (it carries a
    #: source identity or transitive tags, or carries nothing but some hop from it is asked with a carried value) are
    #: decided in one step too (:func:`~trustgraph.queries.classmoves.class_move` with ``plain=False``: the class's
    #: answer, or the refutation, as ``decide`` gives them; random-5 at 2,000 roles: 87,968 hops of 480 such states
    #: carrying nothing, 49,302 of 310 carrying tags, most of them refuted); False: through :meth:`move` (the
    #: reference; set on the class)
    wide_class_moves = True
    #: True: the hops of a state that is not a plain session are listed once per (node, action filter) and the tuple
    #: shared by every such state of the node (:attr:`_listed`): :meth:`_listed_hops` reads only the node's candidate
    #: edges and its identity policies (``may_assume``), not what the state carries or its MFA (random-5 at 2,000
    #: roles: 936 listings of 139,812 hops for 411 (node, filter) keys, ~2% of the scan's CPU); False: listed per
    #: state (the reference; set on the class)
    listed_memo = True
    #: True (with :attr:`wide_class_moves`): a hop of a role state carrying nothing that is not a plain session,
    #: answered by its class with a witness that sets nothing, leads to the plain state of its role without
    #: :meth:`ReachabilityEngine.sat_leads` when the demand's choices for the role are none
    #: (:meth:`~trustgraph.queries.demand.SessionDemand.chooses_nothing`, memoised per role): the lead ``sat_leads``
    #: gives it, the engine asked nothing more either way (random-5 at 2,000 roles: ~22,000 hops, of which ~21,500
    #: have no choice, ~1 s of ~21 s of CPU with one job); False: through ``sat_leads`` (the reference; set on the
    #: class)
    choiceless_leads = True

    def __init__(self, engine: ReachabilityEngine) -> None:
        self.engine = engine
        self._expansions: dict[tuple[Any, ...], Expansion] = {}
        #: (first hop or not, options, first-hop constraints) -> state -> the expansion :attr:`_expansions` holds
        #: under (state, first hop or not, options, first-hop constraints) (:attr:`state_tables`)
        self._tables: dict[tuple[Any, ...], dict[State, Expansion]] = {}
        #: options -> the same options without their absent and not-like keys (None: they have none)
        self._bases: dict[QueryOptions, QueryOptions | None] = {}
        self._version = graph_version(engine.G)
        #: states expanded (each once per options, and per first-hop constraints for a start)
        self.expanded = 0
        #: (role, action) -> that hop, one tuple each: the candidate hops of the states of a large search are mostly
        #: the same hub edges (at 20,000 roles of the vendor-heavy profile ~1,000,000 hops over ~20,000 roles)
        self._pairs: dict[tuple[str, Action], tuple[str, Action]] = {}
        #: (hub, resource shape or -1, member account, action filter) -> the hub's hops for a plain session
        #: (:meth:`_plain_hops`)
        self._hub_hops: dict[tuple[str, int, Any, Action | None], tuple[tuple[str, Action], ...]] = {}
        #: False: every state's hops are listed edge by edge (the reference :meth:`_plain_hops` is tested against)
        self.hub_lists = True
        #: (node, action filter) -> a plain session's hops and their parts (:meth:`_plain_parts`)
        self._node_parts: dict[tuple[str, Action | None], tuple[tuple[tuple[str, Action], ...], Parts]] = {}
        #: (hub, action filter) -> the hub's hops, every member's filters aside (:meth:`_share_base`)
        self._hub_bases: dict[tuple[str, Action | None], tuple[tuple[str, Action], ...]] = {}
        #: id of a hub's part -> the part, the hub's hops (:attr:`_hub_bases`) and, per hop of those, its index in
        #: the part or -1 (:attr:`shared_parts`)
        self._part_bases: dict[int, tuple[tuple[tuple[str, Action], ...], tuple[tuple[str, Action], ...],
                                          array[int]]] = {}
        #: the last request whose constraints :meth:`_base_sat` tested, those constraints and whether the request
        #: meets them (:attr:`base_checks`)
        self._meets: tuple[Any, tuple[KeyConstraint, ...], bool] | None = None
        #: the tests answered from :attr:`_meets`
        self.meets_reused = 0
        #: (node, action filter) -> the hops of a state of the node that is not a plain session (:attr:`listed_memo`)
        self._listed: dict[tuple[str, Action | None], tuple[tuple[str, Action], ...]] = {}

    def expansion(self, state: State, depth: int, options: QueryOptions, first_extra: tuple[KeyConstraint, ...]
                  ) -> Expansion:
        """The candidate hops of ``state`` in the reference search's order, with a slot for each hop's move
        (filled when a search first takes the hop). ``depth`` matters only as 0 or not (a first hop gets the
        source's constraints and the query's action filter)."""
        key = (state, depth == 0, options, first_extra)
        hit = self._expansions.get(key)
        if hit is not None:
            return hit
        engine = self.engine
        node = state[0]
        carried = carried_of(state)
        plain = engine.attrs(node)["kind"] == NodeKind.ROLE.value and not carried and engine.plain_session(node)
        wanted = options.action if depth == 0 else None
        hops: tuple[tuple[str, Action], ...]
        parts: Parts | None = None
        if plain and self.hub_lists:
            hops, parts = self._plain_parts(node, wanted)
            if not self.part_walks:
                parts = None
        elif not plain and self.listed_memo:
            listed = self._listed.get((node, wanted))
            if listed is None:
                listed = self._listed[(node, wanted)] = self._listed_hops(node, plain, wanted)
            hops = listed
        else:
            hops = self._listed_hops(node, plain, wanted)
        expansion = Expansion(plain, hops, [None] * len(hops),
                               first_extra, range(len(hops)), parts=parts)
        if self.derived_moves and (options.without or options.not_like):
            self._link_base(expansion, key)
        self._expansions[key] = expansion
        table = self._tables.get(key[1:])
        if table is None:
            table = self._tables[key[1:]] = {}
        table[state] = expansion
        self.expanded += 1
        return expansion

    def table(self, first: bool, options: QueryOptions, first_extra: tuple[KeyConstraint, ...]
              ) -> dict[State, Expansion]:
        """State -> its expansion made so far under (``first``, ``options``, ``first_extra``), filed there by
        :meth:`expansion` as it makes each one (:attr:`state_tables`)."""
        key = (first, options, first_extra)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = {}
        return table

    def _link_base(self, expansion: Expansion, key: tuple[Any, ...]) -> None:
        """Link a new ``expansion`` (its ``key``: state, first hop, options, first-hop constraints) to the same
        state's expansion under the options without their absent and not-like keys (its *base*), when that one was
        made first (:meth:`_base_sat` reads its Sat moves). With the engine's derived answers off, no link (the
        reference asks the solver every hop)."""
        state, first, options, first_extra = key
        if options not in self._bases:
            base_options = replace(options, without=(), not_like=())
            self._bases[options] = base_options if base_options != options else None
        base_options = self._bases[options]
        if base_options is None or not self.engine.session.options.derived_answers:
            return
        base = self._expansions.get((state, first, base_options, first_extra))
        if base is not None and (base.hops is expansion.hops or base.hops == expansion.hops):
            expansion.base = base.moves

    def _base_sat(self, state: State, role: str, action: Action, options: QueryOptions, expansion: Expansion,
                  based: Sat, rows: MemoRows | None = None) -> Sat | None:
        """The move of a hop whose base (:meth:`_link_base`) took it as the Sat move ``based``, when
        :meth:`move` would make the same one, else None (the hop is then decided as before).

        :meth:`~trustgraph.queries.engine.ReachabilityEngine.decide` answers such a hop with the first answer filed
        for it under other constraints that is Unsat under a subset of its constraints or an exact Sat whose request
        meets them; when that first filed answer is ``based`` itself (the base decided the hop first), exact, its
        request meets these constraints, and neither a contradiction nor a key made absent blocks the hop first,
        ``decide`` returns ``based``. Its leads are then ``based``'s alone, to the plain state of ``role`` (the
        base's move was that Sat move, and what decides the leads, :meth:`~trustgraph.queries.engine.
        ReachabilityEngine.sat_leads`, reads only the answer and the state) when no other MFA outcome or carried
        value is asked for (asked under these options, such an answer might differ from the base's). ``rows``: the
        engine's memo rows of ``state`` under these options (:attr:`memo_rows`), read by :meth:`_base_sat_rows`."""
        if rows is not None:
            return self._base_sat_rows(rows, role, (role, action), expansion, based)
        if self.base_checks:
            return self._base_sat_checked(state, role, action, options, expansion, based)
        from trustgraph.queries.derived import meets_all

        engine = self.engine
        if based.approximations or engine.asks_carried(role) or engine.flips_mfa(state[0], action, role):
            return None
        key = self._first_filed(state, role, action, options, expansion, based)
        if key is None:
            return None
        constraints, contradicts = engine._constraints_of(options, expansion.extra)
        if contradicts or engine._absent_blocks(role, action, constraints) or not meets_all(based.request,
                                                                                            constraints):
            return None
        return self._file_derived(key, based)

    def _first_filed(self, state: State, role: str, action: Action, options: QueryOptions, expansion: Expansion,
                     based: Sat) -> tuple[Any, ...] | None:
        """The memo key of the hop when ``based`` is the first answer filed for it (``engine.filed``) and nothing is
        memoised, derived or kept as leads under that key yet, else None."""
        engine = self.engine
        flat = engine._answers.get((state, role, action, options.closed))
        first = flat[1] if isinstance(flat, tuple) else flat
        if first is not based:
            return None
        key = (state, role, action, options, expansion.extra)
        if key in engine._memo or key in engine._derived or key in engine._leads:
            return None
        return key

    def _file_derived(self, key: tuple[Any, ...], based: Sat) -> Sat:
        """``based`` filed as the hop's derived answer and counted, as ``decide`` files and counts one."""
        self.engine.shared += 1
        self.engine._derived[key] = based
        return based

    def _base_checks(self, state: State, options: QueryOptions, expansion: Expansion) -> BaseChecks:
        """What :meth:`_base_sat` reads the same for every hop of ``expansion`` (kept on it)."""
        checks = expansion.checks
        if checks is None:
            engine = self.engine
            constraints, contradicts = engine._constraints_of(options, expansion.extra)
            checks = expansion.checks = BaseChecks(
                constraints, contradicts, any(c.op == "absent" for c in constraints),
                engine.flips_mfa(state[0], Action.ASSUME_ROLE), bool(engine.demand))
        return checks

    def _base_sat_checked(self, state: State, role: str, action: Action, options: QueryOptions,
                          expansion: Expansion, based: Sat) -> Sat | None:
        """:meth:`_base_sat` with its per-expansion part read once (:meth:`_base_checks`) and whether the request
        meets the constraints not tested again for the same request and constraints as the hop before: the same tests
        in the same order, each answering as there (a flip needs ``may_flip``; a key made absent blocks only when some
        constraint makes one absent; a request meets the same constraints or not whenever asked: both are
        immutable)."""
        checks = self._carried_over(state, role, action, options, expansion, based)
        if checks is None:
            return None
        key = self._first_filed(state, role, action, options, expansion, based)
        if key is None or not self._meets_after(checks, role, action, based):
            return None
        return self._file_derived(key, based)

    def _base_sat_rows(self, rows: MemoRows, role: str, pair: tuple[str, Action], expansion: Expansion,
                       based: Sat) -> Sat | None:
        """:meth:`_base_sat_checked` of the hop ``pair`` (= (``role``, its action)) of ``rows.state`` on the engine's
        memo rows of the state (:attr:`memo_rows`): the same tests in the same order, the same write."""
        engine = self.engine
        state, options, action = rows.state, rows.options, pair[1]
        checks = self._carried_over(state, role, action, options, expansion, based)
        if checks is None:
            return None
        answers = rows.answers_row()  # _first_filed: based is the first answer filed, nothing else kept for the key
        flat = None if answers is None else answers.get(pair)
        if (flat[1] if isinstance(flat, tuple) else flat) is not based or rows.known(pair) or (
                engine._leads and (state, role, action, options, expansion.extra) in engine._leads):
            return None
        if not self._meets_after(checks, role, action, based):
            return None
        engine.shared += 1  # _file_derived
        rows.put_derived(pair, based)
        derived: Sat = based
        return derived

    def _carried_over(self, state: State, role: str, action: Action, options: QueryOptions, expansion: Expansion,
                      based: Sat) -> BaseChecks | None:
        """The first tests of :meth:`_base_sat_checked` and :meth:`_base_sat_rows`, before the filed answer is read:
        the expansion's checks, or None when ``based`` has approximations, a carried value is asked of ``role`` or
        another MFA outcome may be (the base's Sat is then not carried over)."""
        engine = self.engine
        checks = expansion.checks or self._base_checks(state, options, expansion)
        if based.approximations or (checks.demand and engine.asks_carried(role)) or (
                checks.may_flip and engine.flips_mfa(state[0], action, role)):
            return None
        return checks

    def _meets_after(self, checks: BaseChecks, role: str, action: Action, based: Sat) -> bool:
        """The last tests of :meth:`_base_sat_checked` and :meth:`_base_sat_rows`, once ``based`` is known to be the
        answer filed first: no contradiction and no key made absent blocks the hop, and ``based``'s request meets the
        constraints (not tested again for the same request and constraints as the hop before)."""
        constraints = checks.constraints
        if checks.contradicts or (checks.absent and self.engine._absent_blocks(role, action, constraints)):
            return False
        request = based.request
        hit = self._meets
        if hit is None or hit[0] is not request or hit[1] is not constraints:
            from trustgraph.queries.derived import meets_all

            hit = self._meets = (request, constraints, meets_all(request, constraints))
        else:
            self.meets_reused += 1
        return bool(hit[2])

    def _listed_hops(self, node: str, plain: bool, wanted: Action | None) -> tuple[tuple[str, Action], ...]:
        """The candidate hops of a state of ``node`` as the reference search lists them (``plain``: a role session
        carrying nothing, whose candidates the reference lists with the identity filter already applied; ``wanted``:
        the query's action filter of a first hop)."""
        engine = self.engine
        listed: Iterable[tuple[str, dict[str, Any]]]
        if plain:
            listed = engine.candidates.session_candidates(node, (), {})
        else:
            listed = engine.candidates.lazy_candidates(node)
        hops: list[tuple[str, Action]] = []
        for role, data in listed:
            if (not plain and data.get("identity_required") and data.get("via_hub")
                    and not engine.candidates.may_assume(node, role)):
                continue
            action = Action(data["action"])
            if wanted is not None and action is not wanted:
                continue
            pair = (role, action)
            hops.append(self._pairs.setdefault(pair, pair))  # one tuple per (role, action) for all the states
        return tuple(hops)

    def _plain_hops(self, node: str, wanted: Action | None) -> tuple[tuple[str, Action], ...]:
        """:meth:`_listed_hops` of a plain role session, its hubs' part made once per (hub, resource shape, account,
        action filter) and shared by every member of the hub with that shape: a member with no edge of its own and
        one hub has that hub's tuple itself as its hops (an account hub's members at 20,000 roles: thousands of
        states with the same few hundred hops)."""
        return self._plain_parts(node, wanted)[0]

    def _plain_parts(self, node: str, wanted: Action | None) -> tuple[tuple[tuple[str, Action], ...], Parts]:
        """:meth:`_plain_hops` and the parts they are joined from (its own edges first, then each hub's tuple), each
        with the index of its first hop (:attr:`part_walks`); made once per (node, action filter)."""
        node_key = (node, wanted)
        made = self._node_parts.get(node_key)
        if made is not None:
            return made
        candidates = self.engine.candidates
        direct, _ = candidates.own_edges(node)
        own_account = self.engine.G.nodes[node].get("account")
        parts: list[tuple[tuple[str, Action], ...]] = []
        if direct:
            parts.append(self._pairs_of(((role, data) for role, data in direct), wanted))
        for hub, shape, listed in candidates.session_hub_lists(node):
            key = (hub, shape, own_account, wanted)
            hit = self._hub_hops.get(key)
            if hit is None:
                kept = [edge for edge in listed
                        if not (edge[1]["cross_account"] and edge[2] == own_account)]  # principals:* is the others'
                hit = self._hub_hops[key] = self._pairs_of(((edge[0], edge[1]) for edge in kept), wanted)
                if self.shared_parts and hit:
                    self._share_base(hub, wanted, kept, hit)
            parts.append(hit)
        hops = parts[0] if len(parts) == 1 else tuple(pair for part in parts for pair in part)
        offsets: list[tuple[int, tuple[tuple[str, Action], ...]]] = []
        at = 0
        for part in parts:
            if part:
                offsets.append((at, part))
                at += len(part)
        made = self._node_parts[node_key] = (hops, tuple(offsets))
        return made

    def _share_base(self, hub: str, wanted: Action | None, kept: list[tuple[str, dict[str, Any], str, int]],
                    part: tuple[tuple[str, Action], ...]) -> None:
        """File ``part`` (the hops of the edges ``kept`` of ``hub``'s list, in order) to be walked as the hub's whole
        list (:attr:`shared_parts`) when it holds at least half of that list's hops: the list's index of each of
        its hops, -1 for the others."""
        edges = self.engine.candidates.hub_targets(hub)
        base_key = (hub, wanted)
        base = self._hub_bases.get(base_key)
        if base is None:
            base = self._hub_bases[base_key] = self._pairs_of(((edge[0], edge[1]) for edge in edges), wanted)
        if 2 * len(part) < len(base):
            return
        ids = {id(edge) for edge in kept}
        local = array("i")
        n = 0
        for edge in edges:
            if wanted is not None and Action(edge[1]["action"]) is not wanted:
                continue
            if id(edge) in ids:
                local.append(n)
                n += 1
            else:
                local.append(-1)
        if len(local) != len(base) or n != len(part) or any(
                base[b] is not part[j] for b, j in enumerate(local) if j >= 0):
            return  # not a sub-list of the hub's in order (not expected): walked on its own
        self._part_bases[id(part)] = (part, base, local)

    def _pairs_of(self, listed: Iterable[tuple[str, dict[str, Any]]], wanted: Action | None
                  ) -> tuple[tuple[str, Action], ...]:
        hops: list[tuple[str, Action]] = []
        for role, data in listed:
            action = Action(data["action"])
            if wanted is not None and action is not wanted:
                continue
            pair = (role, action)
            hops.append(self._pairs.setdefault(pair, pair))
        return tuple(hops)

    def decide_slot(self, state: State, i: int, options: QueryOptions, expansion: Expansion,
                    rows: MemoRows | None = None) -> Any:
        """Decide hop ``i`` of ``state``'s ``expansion`` (its slot is empty) and keep the move in its slot: the base
        search's Sat move carried over (:meth:`_base_sat`), else the hop's class answer in one step
        (:func:`~trustgraph.queries.classmoves.class_move`, plain sessions), else :meth:`move` (:data:`BLOCKED` when
        it reaches nothing). The one place a slot is decided: :meth:`Replay.advance`, and
        :func:`~trustgraph.queries.peek.peek_layer`, which decides some hops of a depth ahead of it. ``rows``: the
        engine's memo rows of ``state`` (:attr:`memo_rows`), or None."""
        role, action = expansion.hops[i]
        based = expansion.base[i] if expansion.base is not None else None
        move: Any = None
        if isinstance(based, Sat):
            move = self._base_sat(state, role, action, options, expansion, based, rows)
        if move is None and self.class_moves:
            if expansion.plain:
                move = class_move(self.engine, state, role, action, options, expansion.extra, self.bare_moves, rows)
            elif self.wide_class_moves and self.engine.attrs(state[0])["kind"] == NodeKind.ROLE.value:
                move = class_move(self.engine, state, role, action, options, expansion.extra, self.bare_moves, rows,
                                  plain=False, choiceless=self.choiceless_leads)
        if move is None:
            move = self.move(state, role, action, options, expansion.extra) or BLOCKED
        expansion.moves[i] = move
        return move

    def move(self, state: State, role: str, action: Action, options: QueryOptions,
             extra: tuple[KeyConstraint, ...]) -> Leads | Lead | Sat | Move | None:
        """One hop decided (through the engine's memo): its move (a Sat hop's: its leads, :func:`compact`; with
        ``bare_moves``, a Sat move when its one lead is the plain state of ``role``, not left out), or None when it
        is blocked."""
        engine = self.engine
        key = (state, role, action, options, extra)  # one tuple for the engine's memos of the hop
        result = engine.decide(state, role, action, options, extra, key=key)
        if isinstance(result, Sat):
            leads = engine.sat_leads(state, role, action, options, extra, result, key=key, keep=False)
            if self.bare_moves and len(leads) == 1:
                nxt, answer, left_out = leads[0]
                if left_out and nxt is engine._plain_states.get((role, False)):
                    return answer  # a Sat move: the one lead, to the plain state of the role, not left out
            return compact(leads)
        if isinstance(result, Unknown):
            return Move(role, action, unknown=result.reason)
        return None

    def search(self, source: str, options: QueryOptions, *, outside_only: bool = False) -> SharedOutcome:
        """The breadth-first search from one graph node, as ``engine.search(source, options,
        outside_only=outside_only)`` finds it (same states, order, parents, paths and undecided hops), from the
        shared moves; ``blocked`` is left empty, and the witnesses are built when a path is read
        (:meth:`SharedOutcome.path_to`)."""
        replay = Replay(self, source, options, outside_only=outside_only)
        replay.advance()
        return replay.outcome



__all__ = ["BLOCKED", "Lead", "Leads", "Move", "Replay", "SharedOutcome", "SharedSearches", "compact",
           "leads_of"]
