"""Reachability queries over one trust graph: :class:`GraphQueries` (the estate, its zone, the graph and one search
engine) and :class:`ReachResults`, the ordered answers of a query.

This is what the checks, the diff and the CLI ask. The notebook facade :class:`trustgraph.api.TrustGraph` extends it
with displays, tables, ``scan()`` and ``inventory()``, which need the layers above this one."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.model.estate import Estate
from trustgraph.model.zone import Zone
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.queries.specs import Sources, Targets, resolve_sources, resolve_targets

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.queries.shared import SharedSearches


@dataclass(frozen=True, slots=True)
class ReachResults:
    """An ordered collection of :class:`ReachResult` (the facade's subclass adds a table view and a notebook
    display)."""

    results: tuple[ReachResult, ...]
    options: QueryOptions = QueryOptions()

    def __iter__(self) -> Iterator[ReachResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> ReachResult:
        return self.results[i]

    def reachable(self) -> ReachResults:
        """Only the reachable answers."""
        return type(self)(tuple(r for r in self.results if r.verdict is Reach.REACHABLE), self.options)

    def targets(self) -> tuple[str, ...]:
        """The distinct targets, in order."""
        return tuple(dict.fromkeys(r.target for r in self.results))

    def __repr__(self) -> str:
        counts = {v: sum(1 for r in self.results if r.verdict is v) for v in Reach}
        return (f"<ReachResults {len(self.results)}: {counts[Reach.REACHABLE]} reachable, "
                f"{counts[Reach.UNREACHABLE]} unreachable, {counts[Reach.UNKNOWN]} unknown>")


class GraphQueries:
    """Loaded exports, their trust graph under a zone, and the reachability queries over it.

    The engine remembers answers for the life of this object (``docs/architecture.md``, "Where answers are
    remembered"); queries never change :attr:`graph`.
    """

    #: the collection :meth:`query` returns (the notebook facade's adds displays)
    results_type: ClassVar[type[ReachResults]] = ReachResults

    def __init__(
        self, estate: Estate, zone: Zone | None = None, graph: nx.MultiDiGraph | None = None, *,
        now: datetime | None = None,
    ) -> None:
        from trustgraph.graph.build import build_graph

        self.estate = estate
        self.zone = zone or estate.default_zone()
        self.graph = graph if graph is not None else build_graph(estate, self.zone)
        now_ms = int(now.timestamp() * 1000) if now is not None else None
        self.engine = ReachabilityEngine(self.graph, now_ms=now_ms)
        self._resolved: dict[str | None, Sources] = {}
        self._escalations: Any = None
        self._admin_nodes: tuple[int, tuple[str, ...]] | None = None  # (graph version, escalate.admin_targets)
        self._assume_reaches: Any = None  # queries.escalate.AssumeReaches, on first use
        #: False: the mixed searches (``via="all"``) run each principal's assume-role search with ``engine.search``
        #: (the reference); True: replayed from the shared moves (:mod:`trustgraph.queries.escalate`)
        self.shared_assume_reach = True
        #: True: a mixed search asked for one source's administrator power stops once the shortest administrator
        #: answer is settled (the only one the query returns); False: it searches everything (the reference)
        self.stop_at_admin = True
        #: True: a mixed search reads each principal's assume-role search and escalation edges only as deep as it
        #: goes (:func:`~trustgraph.queries.escalate.layered_mixed_search`); False: whole, when the principal is
        #: obtained (the reference, :func:`~trustgraph.queries.escalate.mixed_search`)
        self.lazy_reach = True
        self._shared_searches: Any = None
        self._descendants: dict[str, frozenset[str]] = {}
        self._descendants_version: Any = None
        #: False: each source of a one-role query searches the whole backward closure (the reference the layered
        #: searches of :class:`trustgraph.queries.backward.Layers` and the reverse search are tested against)
        self.layered = True
        #: with ``layered``: each source's path read off one reverse search over the closure's decided hops
        #: (:mod:`trustgraph.queries.reverse`) instead of a layered search per source
        self.reverse = True
        #: with ``reverse``, in an estate whose policies read carried values: each source's path read off one reverse
        #: search over the carried states (:mod:`trustgraph.queries.reverse_carried`) instead of a search per source
        self.carried_reverse = True
        #: with ``carried_reverse``: each state's successors kept joined over the closure's candidate list for the
        #: engine's life, read whole by a later query whose closure lists the same candidates
        #: (``CarriedPaths(flat=True)``); False: joined candidate by candidate in every query, the reference, which
        #: tests compare it with (same answers, same questions in the same order)
        self.flat_hops = True
        #: with ``carried_reverse``: each source's least distance found by bounded searches from its first hops that
        #: expand only the states they need (``CarriedPaths(lazy=True)``), instead of every landing's successors level
        #: by level; False: the reference, which tests compare it with (same answers field by field)
        self.lazy_carried = True
        #: with ``lazy_carried``: bounded searches up to :data:`~trustgraph.queries.reverse_carried.DEEP_BOUND` hops
        #: before the levels (``CarriedPaths(deep=True)``) instead of 6: a source farther than 6 hops fell back on
        #: the levels, which expand every landing of every source; False: the bound of 6, which tests compare it with
        self.deep_lazy = True
        #: with ``lazy_carried``: a source none of whose first hops lands in the target starts the lazy pass at
        #: distance 1 (``CarriedPaths(from_one=True)``: the distance-0 pass only re-read the hops into the target that
        #: the search asked already); False: from 0, the reference, which tests compare it with
        self.lazy_from_one = True
        #: with ``deep_lazy``: a source the bounded searches find no landing for is searched on its own unless the
        #: states reachable from its own landings reach neither the target nor an undecided hop
        #: (``CarriedPaths(local=True)``), instead of the levels over every source's landings (one such source of a hub
        #: of random:5 at 2,000 roles expanded the whole closure: 12 of the query's 12 s); False: the levels, the
        #: reference, which tests compare it with
        self.local_misses = True
        #: with ``reverse``: the lean reverse pass (:class:`trustgraph.queries.reverse.ReversePaths` ``lean``): a
        #: source whose path is its start state's own steps gets that state's agreed tail, built once per state, as
        #: its hops instead of its first hop joined to the next state's tail; distances and steps read in loops
        self.lean_reverse = True
        #: the lean closure and path building (``backward_closure(lean=True)``, ``ReversePaths(quick=True)``): hops
        #: the closure cache holds read in the closure's loop, a source's steps taken once while its tail is built;
        #: False: the reference, which tests compare it with (same answers, same questions in the same order)
        self.lean_closure = True
        #: with ``lean_closure``: a source's answer put together from the steps the reverse search keeps
        #: (``ReversePaths(fast=True)``); False: the reference, which tests compare it with (same answers, same
        #: questions in the same order)
        self.fast_answers = True
        #: with ``lean_closure``, for a query from every source: the closure and the reverse search's distance pass
        #: read each role's decided hops as lists kept across queries (``backward_closure(listed=True)``,
        #: ``ReversePaths(listed=True)``); False: the reference, which tests compare it with (same closures, same
        #: distances, same answers, same questions in the same order)
        self.listed_hops = True
        #: with ``listed_hops``, in an estate whose policies read carried values: the closure's lists also kept there,
        #: a refused hop listed as one that may reach (``backward_closure(refused=True)``: what such a hop gives a role
        #: the walk examines); False: that estate's closure read row by row, the reference, which tests compare it
        #: with (same closures, same answers, same questions in the same order)
        self.listed_refused = True
        #: with ``fast_answers``, for a query from every source: the tails of the reverse search's states built before
        #: the answers, nearest first, where that asks nothing (``ReversePaths(ordered=True)``); False: built as the
        #: answers need them, the reference, which tests compare it with (same answers, same questions in order)
        self.ordered_tails = True
        #: with ``ordered_tails``, for a query from every source: the sources' answers read off the reverse search in
        #: one loop (``ReversePaths.answers``, results built by :func:`~trustgraph.queries.results.reachable_maker`);
        #: False: answered one by one (``ReversePaths.result``), the reference, which tests compare it with (same
        #: answers, same questions in the same order)
        self.batch_answers = True
        #: True: a query for one role runs with the cyclic collector off, and what it built and keeps (the engine's
        #: new memos) is handed to the oldest generation when it returns (:meth:`_to_one_target`); False: collected
        #: as it allocates (the reference, which tests compare it with: the same answers, the same questions)
        self.paused_queries = True
        self._landings: dict[Any, Any] = {}  # the reverse search's hops as a search takes them (engine's lifetime)
        self._closures: Any = None  # what the backward closures read, shared across queries (backward.ClosureCache)

    # ------------------------------------------------------------------------------------------------ queries
    def query(
        self, source: str | None = None, target: str | None = None, options: QueryOptions | None = None, *,
        per_member: bool = False, members: Iterable[str] | None = None,
    ) -> ReachResults:
        """The CLI's query: one result for a specific (source, target) pair whatever the verdict; otherwise the
        reachable and unknown pairs, one per (source, target), shortest path first.

        The ``external`` class is one source (each role with its shortest path from any outsider); ``per_member``
        answers for each of its members instead (the symbolic AWS outsider and each federated provider outside
        the zone), as the checks need.

        Many sources and one role are answered by :meth:`_to_one_target` (a backward closure from the role), every
        other shape by :meth:`_forward` (one forward search per source).

        ``members`` keeps only those of the resolved sources (e.g. only the AWS outsider of ``external``, whose
        answers are those it has among all the members' answers)."""
        from dataclasses import replace

        options = options or QueryOptions()
        if options.via == "all":
            return self.results_type(self._mixed(source, target, options, per_member), options)
        targets = resolve_targets(self.graph, target)
        if targets.specific and (source is None or source == "*") and members is None:
            return self.results_type(self._to_one_target(None, targets.roles[0], options, per_member), options)
        sources = self._sources(source)
        if members is not None:
            keep = frozenset(members)
            sources = replace(sources, nodes=tuple(n for n in sources.nodes if n in keep))
        if targets.specific and not sources.specific:
            return self.results_type(self._to_one_target(sources, targets.roles[0], options, per_member), options)
        return self.results_type(self._forward(sources, targets, options, per_member), options)

    def escalations(self) -> Any:
        """The privilege-escalation edges of this graph (:class:`~trustgraph.graph.escalation.Escalations`),
        computed per caller on first use and kept for the life of this object."""
        if self._escalations is None:
            from trustgraph.graph.escalation import Escalations

            self._escalations = Escalations(self.graph, now_ms=self.engine.now_ms)
        return self._escalations

    def assume_reaches(self) -> Any:
        """The assume-role search of each principal for the mixed searches
        (:class:`~trustgraph.queries.escalate.AssumeReaches`), kept for the life of this object; replayed from the
        shared searches of :meth:`reach_each` unless ``shared_assume_reach`` is False."""
        if self._assume_reaches is None:
            from trustgraph.queries.escalate import AssumeReaches

            self._assume_reaches = AssumeReaches(self.engine,
                                                 self.shared_searches() if self.shared_assume_reach else None)
        return self._assume_reaches

    def shared_searches(self) -> SharedSearches:
        """The forward searches shared by the checks and queries of this graph (:mod:`trustgraph.queries.shared`),
        made on first use and kept for the life of this object."""
        if self._shared_searches is None:
            from trustgraph.queries.shared import SharedSearches

            self._shared_searches = SharedSearches(self.engine)
        shared: SharedSearches = self._shared_searches
        return shared

    def _mixed(self, source: str | None, target: str | None, options: QueryOptions,
               per_member: bool) -> tuple[ReachResult, ...]:
        """``via="all"``: assume-role chains mixed with escalation edges (:mod:`trustgraph.queries.escalate`).
        With ``target="admin"`` the targets are ``admin:ACCOUNT`` (administrator power over an account); a specific
        source then gets one answer: its shortest path to administrator power, or why there is none. A class of
        outsiders (``external``, one search) gets an answer for each ``admin:`` node it reaches and, when its search
        met an undecided hop (an assume hop or an escalation method), an Unknown one for each it does not: coarse, as
        a specific source's answer is (any undecided hop makes every unreached target Unknown, whether or not it
        leads there), so an undecided hop is never answered as no way in."""
        from trustgraph.queries.escalate import admin_targets, layered_mixed_search, mixed_search, result_of

        sources = self._sources(source)
        to_admin = target == "admin"
        if to_admin:
            from trustgraph.graph.nodes import graph_version

            version = graph_version(self.graph)
            if self._admin_nodes is None or self._admin_nodes[0] != version:  # once, not once per source's query
                self._admin_nodes = (version, admin_targets(self.graph))
            wanted: tuple[str, ...] = self._admin_nodes[1]
            specific = sources.specific
        else:
            targets = resolve_targets(self.graph, target)
            wanted, specific = targets.roles, targets.specific and sources.specific
        grouped = sources.outside_only and not per_member
        if grouped:
            groups: list[tuple[str, tuple[str, ...]]] = [(sources.text, sources.nodes)]
        else:
            groups = [(s, (s,)) for s in sources.nodes]
        out: list[ReachResult] = []
        for label, starts in groups:
            search = layered_mixed_search if self.lazy_reach else mixed_search
            outcome = search(self.engine, self.escalations(), label, starts, options,
                             outside_only=sources.outside_only, reaches=self.assume_reaches(),
                             stop_at_admin=to_admin and specific and self.stop_at_admin)
            said = to_admin and grouped and bool(outcome.unknown)  # an unreached admin: node is Unknown
            found = [r for t in wanted if (r := result_of(outcome, t, said)) is not None]
            if to_admin and specific:
                reach = sorted((r for r in found if r.verdict is Reach.REACHABLE), key=lambda r: len(r.hops))
                if reach:
                    out.append(reach[0])
                else:
                    none = result_of(outcome, "admin", True)
                    assert none is not None
                    out.append(none)
                continue
            if specific and not found:
                miss = result_of(outcome, wanted[0], True)
                if miss is not None:
                    found = [miss]
            out.extend(found)
        return tuple(out)

    def _sources(self, spec: str | None) -> Sources:
        """:func:`resolve_sources`, its virtual sources registered with the engine; remembered for the classes
        (``*``, ``external``) whose resolution walks every node (the graph never changes under this object)."""
        if spec not in (None, "*", "external"):
            sources = resolve_sources(self.graph, spec)
        else:
            cached = self._resolved.get(spec)
            if cached is None:
                cached = resolve_sources(self.graph, spec)
                self._resolved[spec] = cached
            sources = cached
        for virtual in sources.virtual:
            self.engine.register(virtual)
        return sources

    def _forward(
        self, sources: Sources, targets: Targets, options: QueryOptions, per_member: bool,
    ) -> tuple[ReachResult, ...]:
        """One forward search per source (or per class of outsiders), restricted to the ancestors of a specific
        target; also the reference the backward path of :meth:`_to_one_target` is tested against."""
        import networkx as nx

        allowed: frozenset[str] | None = None
        if targets.specific:
            allowed = frozenset(nx.ancestors(self.graph, targets.roles[0])) | {targets.roles[0]}
        out: list[ReachResult] = []
        exact = sources.specific and targets.specific
        stop = targets.roles[0] if targets.specific else None
        if sources.outside_only and not per_member:
            # a class of outsiders (``external``) is one source: every role with its shortest path from any member
            groups: list[tuple[str, tuple[str, ...]]] = [(sources.text, sources.nodes)]
        else:
            groups = [(s, (s,)) for s in sources.nodes if allowed is None or exact or s in allowed]
        for label, starts in groups:
            outcome = self.engine.search(label, options, outside_only=sources.outside_only, allowed=allowed,
                                         stop_at=stop, starts=starts)
            unknown_zone = self.unknown_reach(outcome)
            if exact:
                candidates: Iterable[str] = targets.roles
            else:  # only what was reached or might be, not every role of the estate
                candidates = [t for t in targets.roles if t in outcome.first or t in unknown_zone]
            for t in candidates:
                if t in starts:  # not every source: with `*` the sources include every role that has an out-edge
                    continue
                out.append(self.engine.result_for(outcome, t, unknown_zone))
        return tuple(out)

    def reach_each(self, sources: Sequence[str], options: QueryOptions, *, outside_only: bool = False,
                   targets: Container[str] | None = None) -> dict[str, tuple[ReachResult, ...]]:
        """For each of ``sources`` (graph nodes), its reachable and unknown answers, one per role in role order: those
        ``query(source, None, options)`` gives (with ``outside_only``: those of ``query("external", None, options,
        per_member=True, members=[source])``), from searches that expand each state once for all sources
        (:class:`~trustgraph.queries.shared.SharedSearches`) instead of once per source.

        ``targets`` (default: every role) keeps the answers for those roles only: a check that cites a few roles
        (external-path-to-admin: the admin roles) does not have a path rebuilt and its session names agreed
        (:meth:`ReachabilityEngine.result_for`) for every (source, role) pair the searches reach. The answers kept
        are the same either way."""
        from trustgraph.graph.nodes import NodeKind
        from trustgraph.queries.answers import ask_session_names

        shared = self.shared_searches()
        out: dict[str, tuple[ReachResult, ...]] = {}
        role = NodeKind.ROLE.value
        for source in sources:
            outcome = shared.search(source, options, outside_only=outside_only)
            unknown_zone = self.unknown_reach(outcome)
            reached = set(outcome.first) | unknown_zone if unknown_zone else outcome.first.keys()
            found: list[ReachResult] = []
            for t in sorted(t for t in reached if t != source and self.graph.nodes[t]["kind"] == role):
                if targets is None or t in targets:
                    found.append(self.engine.result_for(outcome, t, unknown_zone))
                else:  # the questions building the answer would ask, so that later witnesses stay the same
                    ask_session_names(self.engine, outcome, t)
            out[source] = tuple(found)
        return out

    def _to_one_target(
        self, sources: Sources | None, target: str, options: QueryOptions, per_member: bool,
    ) -> tuple[ReachResult, ...]:
        """The answers of many sources (None: every source) for one role: a backward closure from the role, then a
        forward search pruned to it from each source that may reach it (:mod:`trustgraph.queries.backward`).

        Each source's answer is the one the forward search restricted to the role's ancestors gives (same verdict,
        same shortest path, same witnesses), except that an undecided hop counts only when it leads into a role that
        reaches or may reach the target (the old search counted any undecided hop into an ancestor in the graph)."""
        import gc

        # what was loaded and answered before this query (the estate, the graph, the memoised hops: millions of
        # long-lived objects) stays out of the collections the query's allocations trigger, unless someone else
        # froze objects already (a scan's checks run inside model.bulk.loaded_objects_frozen). With
        # ``paused_queries`` the query triggers none: what it allocates is either freed by reference counting (its
        # structures' one cycle is broken when it returns, AgreedPaths.release) or kept (the engine's new memos and
        # hop answers, which later collections would only walk), and on return what it kept joins the frozen objects
        # and goes with them to the oldest generation (as model.bulk.gc_paused hands a bulk build over). At 20,000
        # roles a hub query's collections took 6-16 ms of CPU (mix, 85-125 ms queries) and the first query of
        # chain-heavy's sample 1.2 of 3.7 s; over 200 queries of mix in turn, a collection after each found 117 objects
        # in all with the pause, 110 without (cyclic garbage is made once, not per query)
        freeze = gc.isenabled() and gc.get_freeze_count() == 0
        pause = freeze and self.paused_queries
        if freeze:
            gc.freeze()
            if pause:
                gc.disable()
        try:
            return self._answers_to_one_target(sources, target, options, per_member)
        finally:
            if pause:
                gc.freeze()  # the query's survivors join the frozen objects (young counts reset)
                gc.enable()
            if freeze:
                gc.unfreeze()  # ... and all go to the oldest generation: collectable, not walked as young objects

    def _answers_to_one_target(
        self, sources: Sources | None, target: str, options: QueryOptions, per_member: bool,
    ) -> tuple[ReachResult, ...]:
        """The body of :meth:`_to_one_target`."""
        from trustgraph.queries.backward import Layers, backward_closure

        engine = self.engine
        outside_only = sources is not None and sources.outside_only
        starts = None if sources is None else frozenset(sources.nodes)
        closure = backward_closure(engine, target, options, outside_only=outside_only, starts=starts,
                                   cache=self._closure_cache(), lean=self.lean_closure, listed=self.listed_hops,
                                   refused=self.listed_refused)
        paths = self._reverse_paths(closure, options, outside_only, listed=self.listed_hops and starts is None,
                                    ordered=self.ordered_tails and starts is None)
        carried = None
        try:
            if paths is not None and sources is None and paths.ordered and self.batch_answers:
                return self._batch_answers(paths, closure, options)
            groups: list[tuple[str, tuple[str, ...]]]
            if sources is None:
                groups = [(s, (s,)) for s in sorted(closure.sources)]
            elif outside_only and not per_member:
                groups = [(sources.text, sources.nodes)] if closure.sources.intersection(sources.nodes) else []
            else:
                groups = [(s, (s,)) for s in sources.nodes if s in closure.sources]
            out: list[ReachResult] = []
            layers = Layers(engine, closure, options) if paths is None and self.layered and not engine.demand else None
            carried = self._carried_paths(closure, options, outside_only, groups) if paths is None else None
            for label, starts_of in groups:
                if target in starts_of:
                    continue
                outcome = None
                if paths is not None:
                    answer = paths.result(label, starts_of)
                    if answer is not None:
                        out.append(answer)
                        continue
                elif carried is not None:
                    answer = carried.result(label, starts_of)
                    if answer is not None:
                        out.append(answer)
                        continue
                    if carried.misses(starts_of):
                        continue  # its search finds neither the target nor an undecided hop
                elif layers is not None:
                    outcome = layers.search(label, starts_of, outside_only=outside_only)
                if outcome is None or target not in outcome.first:  # only may reach it: the whole closure is searched
                    outcome = engine.search(label, options, outside_only=outside_only, stop_at=target, starts=starts_of,
                                            candidates=closure.candidates)
                if target in outcome.first or outcome.unknown_edges:
                    out.append(engine.result_for(outcome, target))
            return tuple(out)
        finally:  # each search and its answer structure refer to each other (the step): broken, they die now
            for search in (paths, carried):
                if search is not None:
                    search.agreed.release()

    def _batch_answers(self, paths: Any, closure: Any, options: QueryOptions) -> tuple[ReachResult, ...]:
        """The answers of a query from every source over the reverse search ``paths`` (``batch_answers``): what the
        loop of :meth:`_answers_to_one_target` gives, each source read off the reverse search in turn
        (:meth:`ReversePaths.answers`) and searched, in its turn, when it gives no answer."""
        engine, target = self.engine, closure.target
        out: list[ReachResult] = []
        for label, answer in paths.answers(sorted(closure.sources)):
            if answer is not None:
                out.append(answer)
                continue
            outcome = engine.search(label, options, outside_only=False, stop_at=target, starts=(label,),
                                    candidates=closure.candidates)
            if target in outcome.first or outcome.unknown_edges:
                out.append(engine.result_for(outcome, target))
        return tuple(out)

    def _closure_cache(self) -> Any:
        """The :class:`~trustgraph.queries.backward.ClosureCache` of this object's engine (a new one when the engine
        was replaced or the graph changed)."""
        from trustgraph.queries.backward import ClosureCache

        cache = self._closures
        if cache is None or cache.engine is not self.engine:
            cache = ClosureCache(self.engine)
        self._closures = cache = cache.fresh()
        return cache

    def _reverse_paths(self, closure: Any, options: QueryOptions, outside_only: bool, listed: bool = False,
                       ordered: bool = False) -> Any:
        """The reverse search over ``closure`` (:class:`trustgraph.queries.reverse.ReversePaths`), or None when it is
        switched off or does not answer this query (then each source is searched); ``listed``: its distance pass
        over kept lists (a query from every source, ``listed_hops``); ``ordered``: its tails built first
        (``ordered_tails``)."""
        from trustgraph.queries.reverse import CarriedState, ReversePaths, usable

        if not (self.layered and self.reverse and usable(self.engine, options)):
            return None
        if self._landings.get("engine") is not self.engine:  # the hops of another engine are not this one's
            self._landings = {"engine": self.engine}
        try:
            return ReversePaths(self.engine, closure, options, outside_only=outside_only, landings=self._landings,
                                lean=self.lean_reverse, quick=self.lean_closure, fast=self.fast_answers,
                                listed=listed, ordered=ordered)
        except CarriedState:
            return None

    def _carried_paths(self, closure: Any, options: QueryOptions, outside_only: bool,
                       groups: list[tuple[str, tuple[str, ...]]]) -> Any:
        """The reverse search over carried states (:class:`trustgraph.queries.reverse_carried.CarriedPaths`) for an
        estate whose policies read carried values, or None when it is switched off or does not apply."""
        from trustgraph.queries.reverse_carried import CarriedPaths, HopStore, usable

        if not (self.layered and self.reverse and self.carried_reverse and usable(self.engine, options)):
            return None
        store = self._landings.get("carried")
        self._landings["carried"] = store = (store or HopStore(self.engine)).fresh(self.engine)
        return CarriedPaths(self.engine, closure, options, outside_only=outside_only, groups=groups, hops=store,
                            flat=self.flat_hops, lazy=self.lazy_carried, deep=self.deep_lazy,
                            from_one=self.lazy_from_one, local=self.local_misses)

    def unknown_reach(self, outcome: Any) -> set[str]:
        """The roles an undecided hop of ``outcome`` might lead to (its role and the role's descendants in the
        graph; the descendants of a role are walked once for the life of this object)."""
        import networkx as nx

        from trustgraph.graph.nodes import graph_version

        if graph_version(self.graph) != self._descendants_version:  # a tool changed the graph (bump_version)
            self._descendants.clear()
            self._descendants_version = graph_version(self.graph)
        zone: set[str] = set()
        for _, role, _ in outcome.unknown_edges:
            if role not in zone:
                zone.add(role)
                below = self._descendants.get(role)
                if below is None:
                    below = self._descendants[role] = frozenset(nx.descendants(self.graph, role))
                zone.update(below)
        return zone

    def can_reach(self, source: str, target: str, **options: Any) -> ReachResult:
        """Whether one source reaches one role: reachable (with a witnessed path), unreachable (with the reason) or
        unknown. Keyword options as :meth:`QueryOptions.make` (``without``, ``given``, ``closed``, ...)."""
        results = self.query(source, target, QueryOptions.make(**options))
        if len(results) == 1:
            return results[0]
        reach = [r for r in results if r.verdict is Reach.REACHABLE]
        if reach:
            return min(reach, key=lambda r: len(r.hops))
        unknown = [r for r in results if r.verdict is Reach.UNKNOWN]
        if unknown:
            return unknown[0]
        return ReachResult(source=source, target=target, verdict=Reach.UNREACHABLE,
                           reason="no principal of the source class reaches the role")

    def who_can_reach(self, target: str, **options: Any) -> ReachResults:
        """Every source (users, role sessions, symbolic outsiders, federated providers, services) that reaches
        ``target``, each with its shortest witnessed path."""
        return self.query(None, target, QueryOptions.make(**options))

    def reachable_from(self, source: str, **options: Any) -> ReachResults:
        """Every role ``source`` reaches."""
        return self.query(source, None, QueryOptions.make(**options))

    def external_access(self, without: Sequence[str] = (), target: str | None = None, **options: Any) -> ReachResults:
        """Roles that principals outside the zone (federated identities outside it included) reach, e.g.
        ``external_access(without=["sts:ExternalId"])`` for the confused-deputy question."""
        return self.query("external", target, QueryOptions.make(without=without, **options))

    def admin_arns(self) -> frozenset[str]:
        """ARNs of the admin principals."""
        return frozenset(n for n, d in self.graph.nodes(data=True) if d.get("admin"))
