"""The outside accounts' answers of the reach checks, kept as the search left them and built when a role is checked.

:meth:`~trustgraph.checks.context.ScanContext.reached_by` inverts the outside accounts' forward searches into
role -> the answer of each account that reaches it. Built as :class:`~trustgraph.queries.results.ReachResult` values
(:meth:`GraphQueries.reach_each`), every (account, role) pair the searches reach gets its path of witnesses
(:meth:`ReachabilityEngine.witness`, kept by the engine for the life of the scan): at 20,000 roles of the
vendor-heavy profile 181,000 answers under "no MFA" over 354,000 hops, ~166,000 witnesses more in the engine,
+163 MB and ~4.5 s CPU, while a merged finding (:mod:`trustgraph.checks.grouping`) keeps the full witnesses of its
first source only; the other sources keep their nodes, actions, statements and approximations.

Here the index keeps, per (account, role), the source and a :class:`Later` per hop of its path as a flat run of items
(one per hop for all the paths through it: references to the state and answer the shared searches keep anyway),
the last hop, into the role, as its parent state, action and answer (a :class:`Later` made when the role is checked). A
role's answers are built when the role is checked (:func:`answers_for`), each hop as a *light* witness: source,
target, action, statements and approximations read off the hop's Sat answer as :meth:`ReachabilityEngine.witness`
reads them, with no request context or caller, carrying its :class:`Later`, which builds its full witness (built at
prepare time instead, one per hop, they held ~56 MB at 20,000 roles of the vendor-heavy profile for ~230,000 hops); and
:func:`materialized` builds the full witnesses of a merged finding's first source. A path whose hops name a session
(:func:`trustgraph.queries.answers.agree_on_session_names` asks a hop again, or notes it) is built in full at once,
as before, in the same order, so the engine is asked the same questions in the same order as the reference, and
every witness a report shows is the one the reference builds.

A check that merges many sources per role reads a kept answer without building it at all (:func:`flat_answers`,
:class:`FlatAnswer`: what the merged finding reads of a source it does not show first; :mod:`trustgraph.checks.
leansources`), and the light witnesses of the hops before a last one, read again by each role their paths reach, are
made once (:class:`LightMemo`).

The reference (``ScanContext(on_demand=False)``) builds every answer in full (:meth:`GraphQueries.reach_each`);
``tests/checks/test_on_demand.py`` compares the findings of both, field by field.

Cost: a :class:`Later` per distinct hop before a last one and a run of items per (account, role) in its role's one
tuple at prepare time, instead of a full witness per hop (kept by the engine) and a :class:`ReachResult` per pair; per
role, O(its sources) answers with a light witness per hop of their paths, dropped after the merge, and the first
source's full witnesses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.checks import finding as _finding
from trustgraph.queries.results import HopWitness, Reach, ReachResult, export_locations

if TYPE_CHECKING:
    from trustgraph.checks.finding import Finding, SourceReach
    from trustgraph.model.location import Location
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.queries.options import QueryOptions

#: one item of the answers kept for later of a role: an answer kept as its flat run of items, in a role's one
#: sequence of every answer's (no tuple per answer: ~249,000 answers, ~12 MB at 20,000 roles of the vendor-heavy
#: profile): the source (a node name), the :class:`Later` of each hop but the last, ..., the last hop's parent state,
#: action and Sat answer; its light witnesses are built when the role is checked (:func:`answers_for`); the last
#: hop, into the role itself, is nearly always a hop of this answer alone (at 20,000 roles of the vendor-heavy
#: profile ~230,000 of ~248,000 answers), so it is kept as its three parts, not as a :class:`Later` (~13 MB less)
Flat = Any

#: id of a last hop's Sat answer -> (that answer, kept alive while its id is a key; its statements' locations, the
#: conditions they count): :func:`lean_reach`, per role
Lasts = dict[int, tuple[Any, tuple["Location", ...], int]]


@dataclass(frozen=True, slots=True)
class Later:
    """What builds a light hop's full witness: ``engine.witness(state, role, action, answer)``."""

    engine: ReachabilityEngine
    state: Any
    role: str
    action: Any
    answer: Any

    def witness(self) -> HopWitness:
        """The full witness (the one the reference path holds; kept by the engine)."""
        return self.engine.witness(self.state, self.role, self.action, self.answer)


def light_hop(engine: ReachabilityEngine, light: dict[tuple[Any, ...], Later], visits: Any, answers: Any,
              landed: Any) -> Later:
    """The :class:`Later` of the search's hop into state ``landed`` (``visits`` and ``answers``: the search's), one
    per hop in ``light`` across searches. The key holds the answer's id, so a hit is checked against the answer it
    keeps: an id may be reused once an earlier search's answer is gone."""
    parent = visits[landed].parent
    action, answer = answers[landed]
    key = (parent, landed[0], action, id(answer))
    hop = light.get(key)
    if hop is None or hop.answer is not answer:
        hop = light[key] = Later(engine, parent, landed[0], action, answer)
    return hop


def pending_index(tg: GraphQueries, sources: Sequence[str], options: QueryOptions,
                  targets: frozenset[str] | None) -> dict[str, list[ReachResult | Flat]]:
    """Role -> the reachable answer of each of ``sources`` that reaches it (in the order of ``sources``): a
    :class:`ReachResult` where the path's hops name a session (built as the reference builds it), else the flat
    hops, one item after another in the role's list (:data:`Flat`; :func:`answers_for` reads them). ``targets`` as
    :meth:`GraphQueries.reach_each`: for a role outside them no answer is kept, only the questions building it would
    ask are asked (:func:`~trustgraph.queries.answers.ask_session_names`).

    Raises what :meth:`GraphQueries.reach_each` raises (a witness that does not replay)."""
    if PathMemo.once:
        from trustgraph.checks.pathmemo import memo_index

        return memo_index(tg, sources, options, targets)
    return _walked_index(tg, sources, options, targets)


class PathMemo:
    """The switch of :func:`pending_index`'s fast path (:mod:`trustgraph.checks.pathmemo`): what each state's path
    holds (whether a hop on it names a session; its :class:`Later` items) decided once per state of a search, not
    once per (source, role) and hop, and the roles read off a set of the graph's roles; the same index, and the
    engine asked the same questions in the same order."""

    #: False: every role's path walked hop by hop (the reference; set on the class)
    once = True


def _walked_index(tg: GraphQueries, sources: Sequence[str], options: QueryOptions,
                  targets: frozenset[str] | None) -> dict[str, list[ReachResult | Flat]]:
    """:func:`pending_index`, each role's path walked hop by hop (the reference of :class:`PathMemo`)."""
    from trustgraph.graph.nodes import NodeKind
    from trustgraph.queries.answers import ask_session_names, names_evidence

    engine = tg.engine
    # the shared searches of the GraphQueries (as reach_each creates them): every other search of the scan shares
    # their moves
    shared = tg.shared_searches()
    nodes = tg.graph.nodes
    role_kind = NodeKind.ROLE.value
    index: dict[str, list[ReachResult | Flat]] = {}
    light: dict[tuple[Any, ...], Later] = {}  # one per hop for every path through it
    for source in sources:
        outcome = shared.search(source, options)
        visits, answers = outcome.visits, outcome.answers
        # the reference builds answers for every role reached or undecided in role order; an undecided one asks
        # nothing and the index keeps reachable answers only
        for t in sorted(t for t in outcome.first if t != source and nodes[t]["kind"] == role_kind):
            state = outcome.first[t]
            if targets is not None and t not in targets:
                ask_session_names(engine, outcome, t)
                continue
            steps = outcome.evidence_to(state)
            if any(names_evidence(steps[i - 1], steps[i]) for i in range(1, len(steps))):
                index.setdefault(t, []).append(engine.result_for(outcome, t))  # asks again: built as before
                continue
            # the last hop (into t) as its parent state, action and answer, the hops before it as their Later
            parent = visits[state].parent
            assert parent is not None  # t is not the source: a hop reached it
            last_action, last_answer = answers[state]
            flat: list[Any] = []  # the items of the answer, from the last to the first
            cur = parent
            while (up := visits[cur].parent) is not None:
                flat.append(light_hop(engine, light, visits, answers, cur))
                cur = up
            flat.append(source)
            flat.reverse()
            kept = index.setdefault(t, [])
            kept += flat
            kept += (visits[state].parent, last_action, last_answer)
    return index


#: the most light witnesses a :class:`LightMemo` holds: emptied when full (the roles checked one after another read the
#: same hops: at 2,000 roles of the vendor-heavy profile ~2,000 distinct hops for ~3,000 hops read before a last one)
LIGHT_MEMO_MAX = 4096


class LightMemo:
    """The light witnesses of the hops before a last one (:class:`Later` items a search keeps once for every path
    through them, read again by each role those paths reach), made once: each is built from its :class:`Later` alone
    (:func:`light_witness`), the same value each time. Held by a scan (:meth:`~trustgraph.checks.context.ScanContext.
    once`), at most :data:`LIGHT_MEMO_MAX` of them (emptied when full). The findings are the same: a light witness
    read by the findings that are not a merged finding's first is read for its source, target, action, statements
    and approximations only (:func:`~trustgraph.checks.grouping.source_reach`); the first's are replaced by full
    witnesses (:func:`materialized`)."""

    __slots__ = ("_held", "counts", "classes")

    #: False: every light witness made anew, no memo (the reference; set on the class)
    enabled: ClassVar[bool] = True

    def __init__(self) -> None:
        #: id of a Later -> (that Later, kept alive while its id is a key; its light witness)
        self._held: dict[int, tuple[Later, HopWitness]] = {}
        #: id of a light witness's statement locations -> (them, the conditions they count): read by
        #: :func:`flat_answers` (``FlatAnswer.lean_reads``), emptied with the witnesses
        self.counts: dict[int, tuple[tuple[Location, ...], int]] = {}
        #: source -> its class (:func:`~trustgraph.checks.finding.source_class`), for every role: never emptied
        self.classes: dict[str, str] = {}

    def witness(self, later: Later, statements_of: Callable[[Any], Iterable[Any]]) -> HopWitness:
        """:func:`light_witness` of ``later``, made once while held."""
        held = self._held.get(id(later))
        if held is not None and held[0] is later:
            return held[1]
        if len(self._held) >= LIGHT_MEMO_MAX:
            self._held.clear()
            self.counts.clear()
        made = light_witness(later, statements_of)
        self._held[id(later)] = (later, made)
        return made

    def __len__(self) -> int:
        return len(self._held)


def kept_entries(kept: Iterable[ReachResult | Flat]) -> Iterator[ReachResult | tuple[Any, ...]]:
    """The entries of a kept list (:func:`pending_index`), read in one place: a
    :class:`~trustgraph.queries.results.ReachResult` as is; a flat answer as its items, the source first, its
    :class:`Later` hops next, then the last hop's parent state, action and answer."""
    items: tuple[Any, ...] = kept if isinstance(kept, tuple) else tuple(kept)
    i, n = 0, len(items)
    while i < n:
        item = items[i]
        if isinstance(item, ReachResult):
            yield item
            i += 1
            continue
        j = i + 1
        while isinstance(items[j], Later):
            j += 1
        yield items[i:j + 3]
        i = j + 3


def answers_for(engine: ReachabilityEngine, role: str, kept: Iterable[ReachResult | Flat],
                memo: LightMemo | None = None) -> list[ReachResult]:
    """The answers of :func:`pending_index` for ``role``, flat ones with light witnesses (:class:`Later`; the last
    hop's made here, from the parent state, action and answer the flat answer ends with); ``memo``: where the light
    witnesses of the hops before a last one are made once (:class:`LightMemo`; None: each made anew)."""
    from trustgraph.queries.lazydecision import decision_statements as statements_of

    def before(later: Later) -> HopWitness:
        return light_witness(later, statements_of) if memo is None else memo.witness(later, statements_of)

    out: list[ReachResult] = []
    for entry in kept_entries(kept):
        if isinstance(entry, ReachResult):
            out.append(entry)
            continue
        parent, action, answer = entry[-3:]
        hops = (*(before(h) for h in entry[1:-3]),
                light_witness(Later(engine, parent, role, action, answer), statements_of))
        approx = tuple(dict.fromkeys(a for h in hops for a in h.approximations))
        out.append(ReachResult(source=entry[0], target=hops[-1].target, verdict=Reach.REACHABLE, hops=hops,
                               approximations=approx))
    return out


class FlatAnswer:
    """A kept answer of :func:`pending_index` (:data:`Flat`) as a merged finding reads it when it is not that
    finding's first source (:mod:`trustgraph.checks.leansources`): its source reach (the source, the nodes, actions,
    condition count and statements of its path), its statements and approximations, as the finding of the answer
    :func:`answers_for` builds would give them; no witness or answer is built. :meth:`result` builds that answer."""

    __slots__ = ("source", "length", "_reach", "statements", "approximations", "_engine", "_role", "_items",
                 "source_class", "conditions", "approximate")

    #: True: :func:`flat_answers` makes each one with :func:`lean_flat` (the same values in fewer steps: vendor-heavy
    #: at 20,000 roles reads ~250,000 of them in the scan process's shared tasks, its critical path); False: hop by
    #: hop as below (the reference; set on the class)
    lean_reads: ClassVar[bool] = True
    #: True: :func:`flat_answers` makes each one with :func:`deferred_flat`, its source reach made when first read
    #: (:attr:`reach`); a merged finding reads it for its listed sources only and sorts the others and keeps them in
    #: its tail by what they hold as a source reach would (:func:`~trustgraph.checks.grouping.merge_reaches`).
    #: vendor-heavy at 20,000 roles: 45,235 source reaches made for 248,669 answers; the two outside-account checks
    #: after prepare, the switch alternated in one process (6 pairs under load): 3.8-5.0 -> 3.2-4.1 s CPU, 9-23% less
    #: a pair. False: each made with its source reach (:func:`lean_flat`, the reference; set on the class)
    deferred: ClassVar[bool] = True

    #: as :attr:`SourceReach.kind`: a kept answer is a reachable one
    kind = _finding.FindingKind.FINDING

    def __init__(self, engine: ReachabilityEngine, role: str, items: tuple[Any, ...], reach: SourceReach,
                 approximations: tuple[str, ...]) -> None:
        self.source: str = items[0]
        self.length = len(reach.actions)
        self._reach: SourceReach | None = reach
        self.statements, self.approximations = reach.statements, approximations
        self._engine, self._role, self._items = engine, role, items
        self.source_class, self.conditions, self.approximate = reach.source_class, reach.conditions, reach.approximate

    @classmethod
    def made_later(cls, engine: ReachabilityEngine, role: str, items: tuple[Any, ...], source_class: str,
                   length: int, conditions: int, statements: tuple[Location, ...], approximations: tuple[str, ...]
                   ) -> FlatAnswer:
        """The answer whose source reach has these ``source_class``, ``conditions`` and ``statements``, its nodes
        and actions those of its flat ``items`` (of ``length`` hops), made when :attr:`reach` is first read."""
        self = cls.__new__(cls)
        self.source, self.length, self._reach = items[0], length, None
        self.statements, self.approximations = statements, approximations
        self._engine, self._role, self._items = engine, role, items
        self.source_class, self.conditions, self.approximate = source_class, conditions, bool(approximations)
        return self

    @property
    def hops(self) -> int:
        """As :attr:`SourceReach.hops`: the length of its path."""
        return self.length

    @property
    def reach(self) -> SourceReach:
        """Its source reach: the source, the nodes, actions, condition count and statements of its path."""
        reach = self._reach
        if reach is None:
            items = self.flat()
            befores: tuple[Later, ...] = items[1:-3]
            parent, action = items[-3], items[-2]
            # as a light witness reads a hop (light_witness): its state's node, its role, its action's value
            nodes = (befores[0].state[0], *(b.role for b in befores), self._role) if befores else (parent[0],
                                                                                                   self._role)
            reach = self._reach = _finding.SourceReach(
                source=self.source, source_class=self.source_class, nodes=nodes,
                actions=(*(b.action.value for b in befores), action.value), conditions=self.conditions,
                kind=self.kind, approximate=self.approximate, statements=self.statements)
        return reach

    def flat(self) -> tuple[Any, ...]:
        """Its flat form (:data:`Flat`): the source, the :class:`Later` of each hop but the last, then the last hop's
        parent state, action and answer."""
        items: tuple[Any, ...] = self._items
        return items

    def result(self) -> ReachResult:
        """The answer :func:`answers_for` builds (light witnesses)."""
        return answers_for(self._engine, self._role, self.flat())[0]

    def full_hops(self) -> tuple[HopWitness, ...]:
        """The full witnesses of its path: :func:`materialized` of :meth:`result`'s hops, made without the light
        ones (a merged finding's first source, :func:`trustgraph.checks.leansources.first_finding`)."""
        items = self.flat()
        parent, action, answer = items[-3:]
        return (*(later.witness() for later in items[1:-3]),
                Later(self._engine, parent, self._role, action, answer).witness())


def flat_answers(engine: ReachabilityEngine, role: str, kept: Iterable[ReachResult | Flat], memo: LightMemo | None,
                 conditions: Callable[[Location], int]) -> list[ReachResult | FlatAnswer]:
    """:func:`answers_for`, a flat answer given as a :class:`FlatAnswer` (its reach's conditions counted with
    ``conditions``, as :func:`~trustgraph.checks.grouping.source_reach` counts them) instead of a
    :class:`~trustgraph.queries.results.ReachResult`: the hops before the last read off their light witnesses
    (``memo``), the last off its answer."""
    from trustgraph.checks.finding import FindingKind, SourceReach, source_class
    from trustgraph.queries.lazydecision import decision_statements as statements_of

    lean = FlatAnswer.lean_reads
    deferred = lean and FlatAnswer.deferred
    # source -> its class (lean_reads): held by the memo, for every role (a few hundred sources)
    classes: dict[str, str] = {} if memo is None else memo.classes
    lasts: Lasts = {}  # what a last hop's answer gives (lean_reads)
    # id of a hop's locations -> (them, their count): held with the light witnesses they are read off
    counts: dict[int, tuple[tuple[Location, ...], int]] = {} if memo is None else memo.counts
    out: list[ReachResult | FlatAnswer] = []
    for entry in kept_entries(kept):
        if isinstance(entry, ReachResult):
            out.append(entry)
            continue
        item, (parent, action, answer) = entry[0], entry[-3:]
        if deferred:
            out.append(deferred_flat(engine, role, entry, item, action, answer, memo, conditions, classes, counts,
                                     statements_of, lasts))
            continue
        if lean:
            out.append(lean_flat(engine, role, entry, item, parent, action, answer, memo, conditions, classes,
                                  counts, statements_of, lasts))
            continue
        nodes: list[str] = []
        actions: list[str] = []
        held: list[tuple[Location, ...]] = []
        approximations: list[str] = []
        for later in entry[1:-3]:
            hop = light_witness(later, statements_of) if memo is None else memo.witness(later, statements_of)
            if not nodes:
                nodes.append(hop.source)
            nodes.append(hop.target)
            actions.append(hop.action)
            held.append(hop.statements)
            approximations += hop.approximations
        if not nodes:
            nodes.append(parent[0])
        nodes.append(role)
        actions.append(action.value)
        held.append(export_locations(statements_of(answer)))
        approximations += answer.approximations
        statements = tuple(dict.fromkeys(loc for locs in held for loc in locs))
        approx = tuple(dict.fromkeys(approximations))
        count = sum(sum(conditions(loc) for loc in dict.fromkeys(locs)) for locs in held)
        reach = SourceReach(source=item, source_class=source_class(item), nodes=tuple(nodes), actions=tuple(actions),
                            conditions=count, kind=FindingKind.FINDING, approximate=bool(approx),
                            statements=statements)
        out.append(FlatAnswer(engine, role, entry, reach, approx))
    return out


def lean_flat(engine: ReachabilityEngine, role: str, entry: tuple[Any, ...], item: str, parent: Any, action: Any,
               answer: Any, memo: LightMemo | None, conditions: Callable[[Location], int], classes: dict[str, str],
               counts: dict[int, tuple[tuple[Location, ...], int]],
               statements_of: Callable[[Any], Iterable[Any]], lasts: Lasts | None = None) -> FlatAnswer:
    """The :class:`FlatAnswer` :func:`flat_answers` makes of one flat ``entry`` (its source ``item``, its last hop's
    ``parent``, ``action`` and ``answer``), with the same values made in fewer steps (``FlatAnswer.lean_reads``):
    the conditions of a hop's statements counted once per tuple of locations (a hop before the last has the tuple of
    its light witness, held by ``memo``, read again by every role its paths reach) in ``counts``, with no generator
    per hop; the source's class once per source in ``classes``; a path of one hop (the last) read without the loop
    over the hops before it. ``statements_of``: :func:`~trustgraph.queries.lazydecision.decision_statements`, as
    :func:`flat_answers` imported it (once per role, not once per answer: ~250,000 answers at 20,000 roles of the
    vendor-heavy profile); ``lasts``: what the role's last hops' answers give, read once per answer (:func:`lean_reach`;
    None: for each path)."""
    reach, approx = lean_reach(role, item, entry[1:-3], parent, action, answer, memo, conditions, classes, counts,
                               statements_of, lasts=lasts)
    return FlatAnswer(engine, role, entry, reach, approx)


def deferred_flat(engine: ReachabilityEngine, role: str, entry: tuple[Any, ...], item: str, action: Any, answer: Any,
                  memo: LightMemo | None, conditions: Callable[[Location], int], classes: dict[str, str],
                  counts: dict[int, tuple[tuple[Location, ...], int]],
                  statements_of: Callable[[Any], Iterable[Any]], lasts: Lasts | None) -> FlatAnswer:
    """:func:`lean_flat` of the same arguments with its source reach made when first read
    (:meth:`FlatAnswer.made_later`, ``FlatAnswer.deferred``): the hops' statements, conditions and approximations
    read as :func:`lean_reach` reads them, no nodes, actions or source reach made."""
    held_last = None if lasts is None else lasts.get(id(answer))
    if held_last is None or held_last[0] is not answer:
        last = export_locations(statements_of(answer))
        if len(last) > 1:
            last = tuple(dict.fromkeys(last))  # its locations once each, as lean_reach counts and keeps them
        held_last = (answer, last, sum(map(conditions, last)))
        if lasts is not None:
            lasts[id(answer)] = held_last
    _, last, count = held_last
    befores = entry[1:-3]
    if not befores:
        statements = last
        approx = tuple(dict.fromkeys(answer.approximations)) if answer.approximations else ()
    else:
        located, counted, approximations = _read_hops(light_hops(befores, memo, statements_of), counts, conditions)
        count += counted
        located += last
        approximations += answer.approximations
        statements = tuple(dict.fromkeys(located))
        approx = tuple(dict.fromkeys(approximations))
    kind = classes.get(item)
    if kind is None:
        kind = classes[item] = _finding.source_class(item)
    return FlatAnswer.made_later(engine, role, entry, kind, len(befores) + 1, count, statements, approx)


def lean_reach(role: str, item: str, befores: Sequence[Any], parent: Any, action: Any, answer: Any,
               memo: LightMemo | None, conditions: Callable[[Location], int], classes: dict[str, str],
               counts: dict[int, tuple[tuple[Location, ...], int]], statements_of: Callable[[Any], Iterable[Any]],
               actions_held: dict[tuple[str, ...], tuple[str, ...]] | None = None, lasts: Lasts | None = None
               ) -> tuple[SourceReach, tuple[str, ...]]:
    """The source reach and approximations :func:`lean_flat` gives the path of source ``item`` whose hops before the
    last are ``befores`` (the arguments as there); ``actions_held``: where equal sequences of actions get one tuple,
    the first one made (None: each path its own); ``lasts``: where what the last hop's ``answer`` gives (:data:`Lasts`)
    is read once per answer (None: read for each path). A role's paths share their last hops: at 2,000 roles of
    random:2 6,757 paths end in 752 answers."""
    held_last = None if lasts is None else lasts.get(id(answer))
    unique: dict[Location, None] | None = None
    if held_last is None or held_last[0] is not answer:
        last = export_locations(statements_of(answer))
        unique = dict.fromkeys(last)
        held_last = (answer, last, sum(map(conditions, unique)))
        if lasts is not None:
            lasts[id(answer)] = held_last
    _, last, count = held_last
    if not befores:
        nodes: tuple[str, ...] = (parent[0], role)
        actions: tuple[str, ...] = (action.value,)
        statements = tuple(dict.fromkeys(last) if unique is None else unique)
        approx = tuple(dict.fromkeys(answer.approximations))
    else:
        hops = light_hops(befores, memo, statements_of)
        located, counted, approximations = _read_hops(hops, counts, conditions)
        count += counted
        located += last
        approximations += answer.approximations
        nodes = (hops[0].source, *[h.target for h in hops], role)
        actions = (*[h.action for h in hops], action.value)
        statements = tuple(dict.fromkeys(located))
        approx = tuple(dict.fromkeys(approximations))
    if actions_held is not None:
        actions = actions_held.setdefault(actions, actions)
    kind = classes.get(item)
    if kind is None:
        kind = classes[item] = _finding.source_class(item)
    reach = _finding.SourceReach(source=item, source_class=kind, nodes=nodes, actions=actions, conditions=count,
                                 kind=_finding.FindingKind.FINDING, approximate=bool(approx), statements=statements)
    return reach, approx


def _read_hops(hops: list[HopWitness], counts: dict[int, tuple[tuple[Location, ...], int]],
               conditions: Callable[[Location], int]) -> tuple[list[Location], int, list[str]]:
    """The statements, the count of their conditions and the approximations of a path's hops before its last, as
    :func:`deferred_flat` and :func:`lean_reach` read them: a tuple of locations counted once in ``counts``."""
    located: list[Location] = []
    approximations: list[str] = []
    count = 0
    for hop in hops:
        locs = hop.statements
        located += locs
        held = counts.get(id(locs))
        if held is None or held[0] is not locs:
            held = counts[id(locs)] = (locs, sum(map(conditions, dict.fromkeys(locs))))
        count += held[1]
        approximations += hop.approximations
    return located, count, approximations


def light_hops(befores: Iterable[Later], memo: LightMemo | None, statements_of: Callable[[Any], Iterable[Any]]
               ) -> list[HopWitness]:
    """The light witnesses of the hops ``befores`` (the hops of a path before its last), made once in ``memo``
    (:meth:`LightMemo.witness`, its lookup inline: random:2 at 20,000 roles reads ~5M such hops, ~96% held), each
    made anew without one: what :func:`deferred_flat` and :func:`lean_reach` read of a path's hops."""
    if memo is None:
        return [light_witness(later, statements_of) for later in befores]
    held = memo._held
    witness = memo.witness
    return [kept[1] if (kept := held.get(id(later))) is not None and kept[0] is later
            else witness(later, statements_of) for later in befores]


def light_witness(later: Later, statements_of: Callable[[Any], Iterable[Any]] | None = None) -> HopWitness:
    """The light witness of a Sat hop: what :meth:`ReachabilityEngine.witness` gives it, less the request context,
    the caller and the evidence (``later`` builds the full one). ``statements_of``: the statements of an answer's
    decision (:func:`~trustgraph.queries.lazydecision.decision_statements`, which makes no decision a carried-over
    answer has not made yet; None: read off its decision)."""
    answer = later.answer
    statements = answer.decision.statements if statements_of is None else statements_of(answer)
    return HopWitness(source=later.state[0], target=later.role, action=later.action.value, context=_EMPTY,
                      statements=export_locations(statements),
                      approximations=tuple(answer.approximations), evidence=later)


_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def is_light(path: Iterable[HopWitness]) -> bool:
    """Whether a path has light witnesses (:func:`answers_for`)."""
    return any(isinstance(h.evidence, Later) for h in path)


def materialized(path: tuple[HopWitness, ...]) -> tuple[HopWitness, ...]:
    """The path with each light witness replaced by its full witness (the same source, target, action, statements
    and approximations, with the request context, caller and evidence)."""
    return tuple(h.evidence.witness() if isinstance(h.evidence, Later) else h for h in path)


def with_full_path(finding: Finding) -> Finding:
    """A finding whose path has light witnesses with its full witnesses instead (others as they are)."""
    if finding.path and is_light(finding.path):
        return replace(finding, path=materialized(finding.path))
    return finding


__all__ = ["LIGHT_MEMO_MAX", "Flat", "FlatAnswer", "Lasts", "Later", "LightMemo", "PathMemo", "answers_for",
           "deferred_flat", "flat_answers", "is_light", "lean_flat", "lean_reach", "light_hop", "light_hops",
           "materialized",
           "pending_index", "with_full_path"]
