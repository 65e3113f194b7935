"""external-path-to-admin's answers of the federated providers outside the zone, kept as their searches left them.

The check reads one forward search per federated provider (shared hop work, :meth:`GraphQueries.reach_each`) and,
per (provider, admin role) the search reaches, the reference builds the answer in full
(:meth:`ReachabilityEngine.result_for`: a witness per hop, an answer per pair): at 20,000 roles of the random profile
918,182 answers over 7.9M hops, +425 MB and ~50 s CPU of the scan process's shared work, while a role's merged finding
(:mod:`trustgraph.checks.grouping`) shows the full witnesses of its first source only and lists the others by their
:class:`~trustgraph.checks.finding.SourceReach`.

Here (:func:`federated_index`, ``ExternalPathToAdmin.lean_federated``) each pair is kept as five references: the
provider, the :class:`~trustgraph.checks.ondemand.Later` items of the hops before the last (one :class:`Prefix` per
kept state of the provider's search, shared by every admin role reached through it and holding only the hops below
the nearest kept state above it, :class:`KeptPaths`; each :class:`Later` one per hop for every search through it),
and the last hop's parent state, action and Sat answer. A role's pairs are read when the role is
checked (:func:`lean_answers`) as :class:`~trustgraph.checks.ondemand.FlatAnswer` values (the source reach,
statements and approximations the reference's finding would give, read off the hops' answers; the answer itself built
by :meth:`FlatAnswer.result` only for the merged finding's first source, and its full witnesses by
:func:`~trustgraph.checks.ondemand.with_full_path`), the form the outside accounts' answers already take
(:mod:`trustgraph.checks.leansources`). A pair whose path names a session is built in full at once (its hops are
asked again, :func:`~trustgraph.queries.answers.agree_on_session_names`) and kept as those hops, its
:class:`ReachResult` made when its role is checked (:attr:`KeptPaths.bare`), and a pair the search left undecided is
kept as its provider (:class:`Undecided`; the check asks the reference, :meth:`ScanContext.reach_to`): the engine is
asked the same questions in the same order as by :meth:`GraphQueries.reach_each`, so every witness is the same.

The reference is ``ExternalPathToAdmin.lean_federated = False`` (every answer built at prepare time);
``tests/checks/test_lean_federated.py`` compares the findings of both, field by field. The source reaches the merged
findings keep share one tuple per distinct sequence of actions (:class:`ActionSequences`, switch
``ActionSequences.shared``; its reference :func:`~trustgraph.checks.ondemand.lean_flat`): random:1 at 20,000 roles,
peak PSS 971-974 -> 876-886 MB (random:2 885-891 -> 823-825 MB).

Cost: per provider, a tuple per kept state on the paths to the admin roles it reaches (its hops below the nearest
kept state above it) and five references per (provider, admin role) pair, instead of a
:class:`~trustgraph.queries.results.ReachResult` and a witness per hop; per role, a :class:`FlatAnswer` per pair
(its path's hops read once), dropped after the merge.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.checks.ondemand import FlatAnswer, Lasts, Later, LightMemo, lean_flat, lean_reach, light_hop
from trustgraph.checks.pathmemo import (
    AgreedPaths,
    agreed_hops,
    agreed_result,
    approximations_of,
    light_prefix,
    path_names_session,
)
from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.answers import SessionSteps, ask_last_step, ask_session_names, not_named_by
from trustgraph.queries.results import Reach, ReachResult, reachable_maker
from trustgraph.semantics.request import CallerKind

if TYPE_CHECKING:
    from trustgraph.model.location import Location
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.results import HopWitness


class Undecided:
    """A (provider, role) pair whose search met an undecided hop that may lead to the role and did not reach it (the
    reference's UNKNOWN answer, whose reason nobody reads: the check asks :meth:`ScanContext.reach_to` instead); one
    per provider, shared by its roles."""

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source


#: one role's kept pairs, in provider order: a path naming a session, built in full (its answer's hops, a tuple of
#: :class:`~trustgraph.queries.results.HopWitness`, under ``KeptPaths.bare``; else its :class:`ReachResult`), an
#: :class:`Undecided`, or five items (the provider's name, the :class:`Later` of the hops before the last as a
#: :class:`Prefix` under ``KeptPaths.linked``, else a tuple; the last hop's parent state, action and Sat answer)
Kept = list[Any]


class KeptPaths:
    """The switches of how :func:`federated_index` keeps a pair's path: memory only, the values read back
    (:func:`lean_answers`) are equal.

    At 20,000 roles of random:2 the index keeps 640,629 pairs through 349,859 states (a prefix tuple each, ~11
    hops: 40.4 MB) and 253,552 answers of paths naming a session (their :class:`ReachResult` 20.3 MB, their hops
    tuples 25.5 MB), held from the shared work to the end of the scan. ``linked``: a kept state's prefix is the
    :class:`Prefix` of the nearest kept state above it plus the hops from there (:func:`linked_prefixes`, made
    after the search's roles, in which no engine question is asked; its hops read off when its role is checked);
    False: a tuple of every hop (the reference). ``bare``: such an answer is kept as its hops alone (its source is
    its first hop's source, its target the role, its approximations :func:`~trustgraph.checks.pathmemo.
    approximations_of` its hops: :func:`~trustgraph.checks.pathmemo.agreed_result` builds it so) and built again
    when its role is checked; False: the :class:`ReachResult` kept (the reference). Set on the class."""

    linked: ClassVar[bool] = True
    bare: ClassVar[bool] = True


class Prefix(tuple[Any, ...]):
    """The :class:`Later` of the hops of a search's path up to a kept state (the parent of a kept pair's last hop,
    :attr:`KeptPaths.linked`), as one tuple: first the :class:`Prefix` of the nearest kept state above it (None when
    there is none but the source's), then the hops from there, so that the kept states of a search share the
    prefixes of those above them. :meth:`hops` gives the hops in path order; iterating a :class:`Prefix` as a tuple
    does not."""

    __slots__ = ()

    def hops(self) -> tuple[Later, ...]:
        """The hops in path order (the tuple the reference keeps)."""
        up = self[0]
        if up is None:
            return self[1:]
        segs: list[Prefix] = []
        node: Prefix | None = self
        while node is not None:
            segs.append(node)
            node = node[0]
        return tuple(hop for seg in reversed(segs) for hop in seg[1:])


def linked_prefixes(engine: Any, visits: Any, answers: Any, light: dict[tuple[Any, ...], Later],
                    kept: set[State]) -> dict[State, Prefix | tuple[()]]:
    """The prefix of each of a search's ``kept`` states: ``()`` for the source's state, else a :class:`Prefix`
    whose :meth:`~Prefix.hops` are :func:`~trustgraph.checks.pathmemo.light_prefix`'s (the same :class:`Later` in
    the same order, one per hop in ``light``, as there). ``visits`` and ``answers``: the search's."""
    out: dict[State, Prefix | tuple[()]] = {}
    for state in sorted(kept, key=lambda s: visits[s].depth):  # a kept state's kept ancestors first
        segment: list[Later] = []
        cur = state
        while (parent := visits[cur].parent) is not None:
            segment.append(light_hop(engine, light, visits, answers, cur))
            cur = parent
            if cur in kept:
                break
        if not segment:
            out[state] = ()
            continue
        segment.reverse()
        up = out[cur] if cur in kept else ()
        out[state] = Prefix((up or None, *segment))
    return out


def federated_index(tg: GraphQueries, providers: Sequence[str], options: QueryOptions,
                    targets: Container[str] | None) -> dict[str, Kept]:
    """Role -> the kept answers of ``providers`` for it (:data:`Kept`), of the roles among ``targets`` (None: every
    role): those ``tg.reach_each(providers, options, outside_only=True, targets=targets)`` gives, reachable and
    unknown, in provider order, with the same questions asked of the engine in the same order (a role not among
    ``targets`` whose path names a session is asked about, :func:`ask_session_names`, as there). Raises
    :class:`~trustgraph.errors.ReplayMismatch` where ``reach_each`` does."""
    engine = tg.engine
    shared = tg.shared_searches()
    role_kind = NodeKind.ROLE.value
    roles = {n for n, d in tg.graph.nodes(data=True) if d["kind"] == role_kind}
    role_session = CallerKind.ROLE_SESSION
    index: dict[str, Kept] = {}
    light: dict[tuple[Any, ...], Later] = {}  # one per hop for every path through it, across providers
    by_pass = NamedStates.once and targets is not None
    linked, bare = KeptPaths.linked, KeptPaths.bare and AgreedPaths.once
    names: dict[int, tuple[Any, Any]] = {}  # NamedStates: id(request) -> (request, its sts:RoleSessionName)
    for source in providers:
        outcome = shared.search(source, options, outside_only=True)
        unknown_zone = tg.unknown_reach(outcome)
        visits, answers, first = outcome.visits, outcome.answers, outcome.first
        reached = (first.keys() | unknown_zone) & roles if unknown_zone else first.keys() & roles
        reached.discard(source)
        named: dict[State, bool] = {}
        prefix: dict[State, tuple[Later, ...]] = {}
        unfilled: list[tuple[Kept, int]] = []  # KeptPaths.linked: (a role's pairs, where a prefix goes)
        agreed: dict[State, tuple[HopWitness, ...]] | None = {} if AgreedPaths.once else None
        undecided: Undecided | None = None
        todo: Iterable[str] = reached
        if by_pass:
            assert targets is not None
            todo = named_states(visits, answers, first, named, names)
            todo.intersection_update(reached)
            todo.update(t for t in reached if t in targets)
        for t in sorted(todo):
            wanted = targets is None or t in targets
            state = first.get(t)
            if state is None:  # in the unknown zone only: the reference's UNKNOWN answer (asks nothing)
                if wanted:
                    if undecided is None:
                        undecided = Undecided(source)
                    index.setdefault(t, []).append(undecided)
                continue
            parent = visits[state].parent
            assert parent is not None  # t is not the source: a hop reached it
            last_action, last_answer = answers[state]
            # last_hop_names_session(visits, answers, named, parent, last_answer), inline (random:2 at 20,000
            # roles: ~3.5M reached roles), the hops before the last apart from the last
            before = named.get(parent)
            if before is None:
                before = path_names_session(visits, answers, named, parent)
            if not before:
                caller = last_answer.caller
                if (caller is None or caller.kind is not role_session
                        or (name := getattr(caller, "session_name", None)) is None
                        or visits[parent].parent is None or not not_named_by(answers[parent][1].request, name)):
                    if not wanted:
                        continue  # no hop on the path names a session: nothing to ask
                    pairs = index.setdefault(t, [])
                    if linked:  # the prefix filled in after the search's roles (linked_prefixes)
                        pairs.extend((source, parent, parent, last_action, last_answer))
                        unfilled.append((pairs, len(pairs) - 4))
                        continue
                    items = prefix.get(parent)
                    if items is None:
                        items = light_prefix(engine, visits, answers, light, prefix, parent)
                    pairs.extend((source, items, parent, last_action, last_answer))
                    continue
            if wanted:  # as reach_each
                kept: Any
                if agreed is None:
                    kept = engine.result_for(outcome, t, unknown_zone)
                elif not bare:
                    kept = agreed_result(engine, outcome, t, agreed)
                else:
                    kept = agreed_hops(engine, outcome, t, agreed)
                    if kept[0].source != source:  # not rebuilt from its hops alone: kept whole
                        kept = ReachResult(source=source, target=t, verdict=Reach.REACHABLE, hops=kept,
                                           approximations=approximations_of(kept))
                index.setdefault(t, []).append(kept)
            elif not SessionSteps.once:
                ask_session_names(engine, outcome, t)
            elif not before:  # only the last hop names a session: ask_session_names asks that step alone
                ask_last_step(engine, outcome, state)
            elif (asked := outcome.asked_names) is None or parent not in asked:
                ask_session_names(engine, outcome, t)
            else:  # the steps up to the parent asked before: ask_session_names would ask the last one alone
                caller = last_answer.caller
                if (caller is not None and caller.kind is role_session
                        and (name := getattr(caller, "session_name", None)) is not None
                        and visits[parent].parent is not None and not_named_by(answers[parent][1].request, name)):
                    ask_last_step(engine, outcome, state)
                else:
                    asked.add(state)  # as ask_session_names records it
        if unfilled:
            linked_of = linked_prefixes(engine, visits, answers, light, {pairs[at] for pairs, at in unfilled})
            for pairs, at in unfilled:
                pairs[at] = linked_of[pairs[at]]
    return index


class NamedStates:
    """The switch of :func:`named_states`'s fast path in :func:`federated_index`.

    The reference walks every role a provider's search reached, in name order, and tests each one's path for a hop
    naming the session the next hop's caller is (:func:`~trustgraph.checks.pathmemo.path_names_session`, the last
    hop apart): a role that is not a target and whose path names no session asks nothing and is passed over. At
    20,000 roles of random:2, 983 searches reach ~3.5M roles, ~74% of them not targets and ~73% of those naming no
    session (ratios at 2,000 roles: 35,617 reached, 26,248 not targets, 19,082 of those passed over), at ~3 us a
    role in that loop. Here the flag of every state is worked out once per search in the order the search found
    them (a state's path names a session when its parent's does or its own hop, after a hop that is not the first,
    needs the session named; parents come first), and the loop walks only the targets and the roles whose first
    state's flag is set: the same roles in the same order, asking the same questions, the others skipped without
    a look. The request's ``sts:RoleSessionName`` test is made once per interned request. False: every reached role
    walked (the reference; set on the class)."""

    once: ClassVar[bool] = True


def named_states(visits: dict[State, Any], answers: dict[State, Any], first: dict[str, State],
                 named: dict[State, bool], names: dict[int, tuple[Any, Any]]) -> set[str]:
    """Fill ``named`` with, for every state of a search (``visits`` in the order it found them, ``answers`` the
    action and Sat answer of each hop), whether a hop on its path names the session the next hop's caller is (the
    values :func:`~trustgraph.checks.pathmemo.path_names_session` memoises there), and return the nodes whose first
    state (``first``) has that flag. ``names``: id of a request -> (the request, its ``sts:RoleSessionName`` values
    or None), filled here, shared by the searches of one index (the requests are interned: one per content)."""
    role_session = CallerKind.ROLE_SESSION
    found: set[str] = set()
    for state, visit in visits.items():
        parent = visit.parent
        if parent is None:
            named[state] = False
            continue
        flag = named[parent]
        if not flag:
            caller = answers[state][1].caller
            if (caller is not None and caller.kind is role_session
                    and (name := getattr(caller, "session_name", None)) is not None
                    and visits[parent].parent is not None):
                request = answers[parent][1].request
                hit = names.get(id(request))
                if hit is None or hit[0] is not request:
                    hit = names[id(request)] = (request, None if request is None
                                                else request.get("sts:rolesessionname"))
                flag = hit[1] != (name,)  # not_named_by(request, name)
        named[state] = flag
        if flag and first.get(state[0]) is state:
            found.add(state[0])
    return found


def lean_answers(engine: ReachabilityEngine, role: str, kept: Iterable[Any], memo: LightMemo | None,
                 conditions: Callable[[Location], int], shared: ActionSequences | None = None
                 ) -> list[ReachResult | FlatAnswer | Undecided]:
    """The kept answers of :func:`federated_index` for ``role``: a kept pair as the :class:`FlatAnswer` of its path
    (its reach's conditions counted with ``conditions``, as :func:`~trustgraph.checks.grouping.source_reach` counts
    them; the light witnesses of the hops before the last made once in ``memo``), the others as they are.
    ``shared``: where the source reaches get one tuple per distinct sequence of actions (:class:`ActionSequences`;
    None: each pair's own, :func:`~trustgraph.checks.ondemand.lean_flat`)."""
    from trustgraph.queries.lazydecision import decision_statements as statements_of

    items: Sequence[Any] = kept if isinstance(kept, (list, tuple)) else list(kept)
    classes: dict[str, str] = {}
    lasts: Lasts = {}  # what a last hop's answer gives, read once per answer
    counts: dict[int, tuple[tuple[Location, ...], int]] = {} if memo is None else memo.counts
    out: list[ReachResult | FlatAnswer | Undecided] = []
    make = None
    i, n = 0, len(items)
    while i < n:
        item = items[i]
        if not isinstance(item, str):
            if type(item) is tuple:  # a bare path (KeptPaths.bare): its answer as agreed_result built it
                if make is None:
                    make = reachable_maker()
                item = make(item[0].source, role, item, approximations_of(item))
            out.append(item)
            i += 1
            continue
        befores, parent, action, answer = items[i + 1:i + 5]
        if type(befores) is Prefix:
            befores = befores.hops()
        if shared is not None:
            out.append(shared.answer(engine, role, item, befores, parent, action, answer, memo, conditions,
                                       classes, counts, statements_of, lasts))
            i += 5
            continue
        entry = (item, *befores, parent, action, answer)  # the flat form FlatAnswer.result() reads
        out.append(lean_flat(engine, role, entry, item, parent, action, answer, memo, conditions, classes, counts,
                              statements_of, lasts))
        i += 5
    return out


class ActionSequences:
    """The :class:`FlatAnswer` of a kept pair as :func:`~trustgraph.checks.ondemand.lean_flat` makes it, its source
    reach given one tuple per distinct sequence of actions (held by every source reach that has it) instead of one
    per pair: a merged finding keeps the source reach of each of its sources until the report is written (random:1
    at 20,000 roles ~880,000 of them, ~70 MB of actions tuples, with a few hundred distinct sequences), and the pair's
    flat form (the items :meth:`FlatAnswer.result` reads) made only if that answer is built (a merged finding's
    first source). The values are equal: the findings are the same.

    What the hops before the last give a pair is not memoised per prefix: at 20,000 roles of random:1 the ~880,000
    pairs share an estimated ~460,000 prefixes (1.95M prefix items, ~4.2 hops each at 2,000 roles), read in role order
    far apart: a memo of 32,768 prefixes read the hops again for nearly every pair (4.7M light witnesses asked for
    881,000 pairs, grouped CPU unchanged), and one of all of them would hold ~160 MB for half the reads. Held by a
    scan (:meth:`~trustgraph.checks.context.ScanContext.once`)."""

    __slots__ = ("_actions",)

    #: False: each pair read by :func:`~trustgraph.checks.ondemand.lean_flat` (the reference; set on the class)
    shared: ClassVar[bool] = True

    def __init__(self) -> None:
        #: each sequence of actions a source reach was given, once
        self._actions: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._actions)

    def answer(self, engine: ReachabilityEngine, role: str, item: str, befores: tuple[Later, ...], parent: Any,
               action: Any, answer: Any, memo: LightMemo | None, conditions: Callable[[Location], int],
               classes: dict[str, str], counts: dict[int, tuple[tuple[Location, ...], int]],
               statements_of: Callable[[Any], Iterable[Any]], lasts: Lasts | None = None) -> FlatAnswer:
        """The :class:`FlatAnswer` :func:`~trustgraph.checks.ondemand.lean_flat` makes of the kept pair (``item``,
        ``befores``, ``parent``, ``action``, ``answer``) for ``role`` (equal values; the arguments as there)."""
        reach, approx = lean_reach(role, item, befores, parent, action, answer, memo, conditions, classes, counts,
                                   statements_of, self._actions, lasts)
        return _KeptAnswer(engine, role, (item, befores, parent, action, answer), reach, approx)


class _KeptAnswer(FlatAnswer):
    """A :class:`FlatAnswer` whose items are the kept pair's five (its flat form made only when its answer is)."""

    __slots__ = ()

    def flat(self) -> tuple[Any, ...]:
        item, befores, parent, action, answer = self._items
        return (item, *befores, parent, action, answer)


__all__ = ["ActionSequences", "Kept", "KeptPaths", "NamedStates", "Prefix", "Undecided", "federated_index",
           "lean_answers", "linked_prefixes", "named_states"]
