""":func:`~trustgraph.checks.ondemand.pending_index` with what each state's path holds decided once per state of a
search (:class:`~trustgraph.checks.ondemand.PathMemo`, the default).

The paths of one search form a tree (each state keeps the hop that first reached it), so the paths to the roles a
source reaches share their first hops: the reference walks each role's path hop by hop, twice (whether a hop names
a session, :func:`~trustgraph.queries.answers.ask_session_names` or the flat items), at 20,000 roles of the
vendor-heavy profile ~430,000 (source, role) paths, ~2 s CPU of the scan's shared prepare, its critical path. Here,
per search, a state's path names a session (``named``) and its :class:`~trustgraph.checks.ondemand.Later` items
(``prefix``) are each its parent's and its own hop's, made once; the roles reached are read off a set of the graph's
roles (no node view per state) and sorted as the reference sorts them.

The engine is asked the same questions in the same order: a role whose path names a session is asked about or
built (:func:`~trustgraph.queries.answers.ask_session_names`, ``engine.result_for``) in the same role order as the
reference; a role whose path names none asks nothing in either (its states are not recorded as asked: a later path
through them walks them again, asking nothing there either). The index holds the same items: the same :class:`Later`
per hop (kept in one dict across sources, as the reference keeps them).

Cost: two dict entries per state on the paths of the roles reached (dropped after each source), a set of the graph's
roles per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from trustgraph.checks.ondemand import Later, light_hop
from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.answers import ask_session_names, names_evidence, not_named_by, noted, session_agreement
from trustgraph.queries.results import Reach, ReachResult
from trustgraph.semantics.request import CallerKind

if TYPE_CHECKING:
    from trustgraph.checks.ondemand import Flat
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.results import HopWitness
    from trustgraph.queries.shared import SharedOutcome

#: the value a per-state memo of path prefixes files (a flag, a tuple of hops)
_V = TypeVar("_V")


def memo_index(tg: GraphQueries, sources: Sequence[str], options: QueryOptions,
               targets: frozenset[str] | None) -> dict[str, list[ReachResult | Flat]]:
    """:func:`~trustgraph.checks.ondemand.pending_index` (same arguments, same index, same questions)."""
    engine = tg.engine
    shared = tg.shared_searches()
    role_kind = NodeKind.ROLE.value
    roles = {n for n, d in tg.graph.nodes(data=True) if d["kind"] == role_kind}
    index: dict[str, list[ReachResult | Flat]] = {}
    light: dict[tuple[Any, ...], Later] = {}  # one per hop for every path through it
    for source in sources:
        outcome = shared.search(source, options)
        visits, answers, first = outcome.visits, outcome.answers, outcome.first
        reached = first.keys() & roles
        reached.discard(source)
        named: dict[State, bool] = {}
        prefix: dict[State, tuple[Later, ...]] = {}
        for t in sorted(reached):
            state = first[t]
            parent = visits[state].parent
            assert parent is not None  # t is not the source: a hop reached it
            last_action, last_answer = answers[state]
            if visits[parent].parent is None:
                # a path of one hop names no session (no hop before the last) and has no Later items: what
                # last_hop_names_session and light_prefix answer for it, without their calls (vendor-heavy at 2,000
                # roles: 1,284 of the 9,420 answers kept)
                if targets is None or t in targets:
                    kept = index.setdefault(t, [])
                    kept += (source, parent, last_action, last_answer)
                continue
            if last_hop_names_session(visits, answers, named, parent, last_answer):
                if targets is not None and t not in targets:
                    ask_session_names(engine, outcome, t)
                else:
                    index.setdefault(t, []).append(engine.result_for(outcome, t))  # asks again: built as before
                continue
            if targets is not None and t not in targets:
                continue  # no hop on the path names a session: nothing to ask
            items = prefix.get(parent)
            if items is None:
                items = light_prefix(engine, visits, answers, light, prefix, parent)
            kept = index.setdefault(t, [])
            kept.append(source)
            kept += items
            kept += (parent, last_action, last_answer)
    return index


def last_hop_names_session(visits: Any, answers: Any, named: dict[State, bool], parent: State, last_answer: Any
                            ) -> bool:
    """Whether the path into a role through ``parent`` (the search's state before the last hop, whose answer is
    ``last_answer``) names a session: a hop up to ``parent`` does (:func:`path_names_session`, memoised in
    ``named``), or the hop before the last names the last hop's caller (:func:`names_evidence`). Such a path's answer
    is built in full, its hops asked again as the reference asks them."""
    if named.get(parent) or (parent not in named and path_names_session(visits, answers, named, parent)):
        return True
    caller = last_answer.caller
    if may_name(caller) and visits[parent].parent is not None:
        # names_evidence((None, before.caller, before.request), (None, caller, last_answer.request)) once may_name
        # holds, without its two tuples (random:1 at 20,000 roles: ~2.6M last hops into roles, most not checked)
        return not_named_by(answers[parent][1].request, caller.session_name)
    return False


def may_name(caller: Any) -> bool:
    """Whether a hop by ``caller`` may need the hop before it to name its session (the caller-side test of
    :func:`~trustgraph.queries.answers.names_evidence`: a role session with a name)."""
    return caller is not None and caller.kind is CallerKind.ROLE_SESSION and getattr(caller, "session_name", None) \
        is not None


def _below_memoised(visits: Any, memo: dict[State, _V], state: State, at_source: _V) -> tuple[list[State], _V]:
    """The states of the path to ``state`` past its nearest state with a value in ``memo``, in path order, and that
    value (``at_source``, filed for the source's state, when no state of the path has one): what a per-state memo
    of the path's prefixes still has to compute, from the value it builds on."""
    chain: list[State] = []
    cur = state
    while (value := memo.get(cur)) is None:
        parent = visits[cur].parent
        if parent is None:  # the source's state
            value = memo[cur] = at_source
            break
        chain.append(cur)
        cur = parent
    chain.reverse()
    return chain, value


def path_names_session(visits: Any, answers: Any, named: dict[State, bool], state: State) -> bool:
    """Whether a hop on the path to ``state`` names the session the next hop's caller is (the test of
    :func:`~trustgraph.queries.answers.ask_session_names` on each pair of hops), memoised in ``named`` per state."""
    chain, value = _below_memoised(visits, named, state, False)
    for landed in chain:
        if not value:
            mid = visits[landed].parent
            if visits[mid].parent is not None:  # a path's first hop has no hop before it to name its caller
                before, after = answers[mid][1], answers[landed][1]
                value = names_evidence((None, before.caller, before.request), (None, after.caller, after.request))
        named[landed] = value
    return value


def light_prefix(engine: Any, visits: Any, answers: Any, light: dict[tuple[Any, ...], Later],
            prefix: dict[State, tuple[Later, ...]], state: State) -> tuple[Later, ...]:
    """The :class:`Later` of each hop of the path to ``state``, in path order, memoised in ``prefix`` per state (one
    :class:`Later` per hop in ``light``, across sources, as the reference keeps them)."""
    chain, items = _below_memoised(visits, prefix, state, ())
    for landed in chain:
        items = prefix[landed] = (*items, light_hop(engine, light, visits, answers, landed))
    return items


class AgreedPaths:
    """The switch of :func:`agreed_result`'s fast path: the answer of a (source, role) whose path names a session
    (``engine.result_for``) built off its parent state's agreed path, made once per state of a search.

    ``engine.result_for`` builds the path (a witness per hop) and agrees on its session names step by step
    (:func:`~trustgraph.queries.answers.agree_on_session_names`: step i, between hops i-1 and i, replaces hop i-1 by
    the hop asked again naming the session, or notes hop i), walking the whole path of every role: at 20,000 roles of
    random:2 ~254,000 federated (provider, admin role) answers of ~5 hops. Step i reads hops i-1 (as step i-1 left
    it: noted at most, never replaced) and i and the states around them, and changes only those two, so the agreed
    path to a state is its parent's with the state's hop appended and that one step applied. The engine is asked the
    same new questions in the same order: the steps of a state already made were asked by an earlier role of the same
    search (asking them again, as the reference does, is a memo hit, :meth:`ReachabilityEngine.solve`), and the new
    steps are asked in path order."""

    #: False: every answer built by ``engine.result_for`` (the reference; set on the class)
    once: ClassVar[bool] = True


def agreed_result(engine: ReachabilityEngine, outcome: SharedOutcome, target: str,
                  agreed: dict[State, tuple[HopWitness, ...]]) -> ReachResult:
    """``engine.result_for(outcome, target)`` for a ``target`` the search reached (equal value; the same questions
    asked in the same order), each state's agreed path made once in ``agreed`` (one dict per search)."""
    hops = agreed_hops(engine, outcome, target, agreed)
    return ReachResult(source=outcome.source, target=target, verdict=Reach.REACHABLE, hops=hops,
                       approximations=approximations_of(hops))


def approximations_of(hops: tuple[HopWitness, ...]) -> tuple[str, ...]:
    """The approximations of :func:`agreed_result`'s answer whose hops are ``hops``: each hop's, once, in order."""
    return tuple(dict.fromkeys(a for h in hops for a in h.approximations))


def agreed_hops(engine: ReachabilityEngine, outcome: SharedOutcome, target: str,
                agreed: dict[State, tuple[HopWitness, ...]]) -> tuple[HopWitness, ...]:
    """The hops of :func:`agreed_result`'s answer (the same questions asked in the same order): what the answer
    holds beyond its source, its target and :func:`approximations_of` them."""
    state = outcome.first[target]
    visits, answers, options = outcome.visits, outcome.answers, outcome.options
    assert options is not None  # a shared search's outcome has its options
    chain, hops = _below_memoised(visits, agreed, state, ())
    for landed in chain:
        mid = visits[landed].parent
        assert mid is not None
        action, answer = answers[landed]
        hop = engine.witness(mid, landed[0], action, answer)
        if hops:
            grand = visits[mid].parent
            assert grand is not None
            extra = outcome.first_extra.get(grand[0], ()) if visits[grand].parent is None else ()
            again, note = session_agreement(engine, options, grand, mid, hops[-1], hop, extra)
            if again is not None:
                hops = (*hops[:-1], again, hop)
            else:
                hops = (*hops, hop if note is None else noted(hop, note))
        else:
            hops = (hop,)
        agreed[landed] = hops
    return hops


__all__ = ["AgreedPaths", "agreed_hops", "agreed_result", "approximations_of",
           "last_hop_names_session", "light_prefix", "may_name", "memo_index", "path_names_session"]
