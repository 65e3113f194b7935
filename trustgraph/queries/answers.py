"""The answer of a search for one (source, target): the path found, with each hop's request naming the session the
next hop's caller is, or why no path exists (split from :mod:`trustgraph.queries.engine`, whose
:class:`~trustgraph.queries.engine.ReachabilityEngine` keeps a method of each name that calls these).

Cost: linear in the path's length (one more hop question per hop whose next caller needs a session name), or in the
blocked hops recorded for the target; for the paths nobody reads, each step of a search once (:class:`SessionSteps`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.derived import DerivedUnsat
from trustgraph.queries.results import HopWitness, Reach, ReachResult
from trustgraph.semantics.request import Action, CallerKind

if TYPE_CHECKING:
    from trustgraph.model.location import Location
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.outcome import SearchOutcome
    from trustgraph.smt.solve import KeyConstraint


def result_for(engine: ReachabilityEngine, outcome: SearchOutcome, target: str,
               unknown_zone: set[str] | None = None) -> ReachResult:
    """The answer for (outcome.source, target): reachable with its path, unknown, or unreachable with a reason.

    ``unknown_zone`` holds the roles that some undecided hop might lead to; a target outside it is unreachable
    even when the search met undecided hops elsewhere.
    """
    state = outcome.first_state(target)
    if state is not None:
        hops = engine.agree_on_session_names(outcome, state, outcome.path_to(state))
        approx = tuple(dict.fromkeys(a for h in hops for a in h.approximations))
        return ReachResult(source=outcome.source, target=target, verdict=Reach.REACHABLE, hops=hops,
                           approximations=approx)
    if outcome.unknown_edges and (unknown_zone is None or target in unknown_zone):
        reasons = sorted({f"{s[0]} -> {r}: {why}" for s, r, why in outcome.unknown_edges})
        return ReachResult(source=outcome.source, target=target, verdict=Reach.UNKNOWN,
                           reason="the solver could not decide: " + "; ".join(reasons[:5]))
    return ReachResult(source=outcome.source, target=target, verdict=Reach.UNREACHABLE,
                       reason=engine.unreachable_reason(outcome, target))


def ask_session_names(engine: ReachabilityEngine, outcome: SearchOutcome, target: str) -> None:
    """Ask the hop questions :func:`result_for` would ask for (outcome.source, target) to agree on session names
    (:func:`agree_on_session_names`), without building the answer, for a target nobody reads the answer of.

    The engine keeps every answer it was given, and a later hop under other constraints may be answered from it
    (:meth:`~trustgraph.queries.engine.ReachabilityEngine.decide`): which of several valid witnesses a later check's
    hop gets depends on the questions asked before. Asking these keeps the later witnesses those of a run that built
    every answer. Cost: the path's length; a question only where a hop's caller needs a session name (rare)."""
    state = outcome.first_state(target)
    if state is None or outcome.options is None:
        return
    from trustgraph.queries.shared import SharedOutcome

    if SessionSteps.once and isinstance(outcome, SharedOutcome):
        _ask_new_steps(engine, outcome, state)
        return
    steps = outcome.evidence_to(state)  # the callers and requests, without building witnesses (queries.shared)
    if any(names_evidence(steps[i - 1], steps[i]) for i in range(1, len(steps))):
        engine.agree_on_session_names(outcome, state, outcome.path_to(state))


class SessionSteps:
    """The switch of :func:`ask_session_names`'s fast path.

    The paths of one search form a tree (each state keeps the hop that first reached it), so the paths to the targets
    of one source share their first hops. :func:`ask_session_names` asks a step (a hop, with the next hop whose caller
    it may name) the first time a path through it is asked for and records the states passed
    (``SearchOutcome.asked_names``); a later target's path asks only its steps below the deepest state recorded.
    Asking a step again is a memo hit that changes nothing (the engine's hop memo keeps every answer; the witnesses
    it builds are the same values), and the steps not asked again come before the new ones on the path, so the engine
    is asked the same new questions in the same order as when every path is asked in full. Cost: each state of the
    search once, instead of each target's whole path (random:2 at 2,000 roles: 26,252 paths of ~4.6 hops)."""

    #: False: every target's path read and asked in full (the reference; set on the class)
    once = True


def _ask_new_steps(engine: ReachabilityEngine, outcome: Any, state: State) -> None:
    """:func:`ask_session_names` on a shared search's record, asking only the steps of the path to ``state`` below
    the states an earlier call recorded (:class:`SessionSteps`)."""
    asked = outcome.asked_names
    if asked is None:
        asked = outcome.asked_names = set()
    visits = outcome.visits
    new: list[State] = []
    cur = state
    while cur not in asked:
        parent = visits[cur].parent
        if parent is None:
            break
        new.append(cur)
        cur = parent
    if not new:
        return
    answers = outcome.answers
    options = outcome.options
    assert options is not None
    for landed in reversed(new):  # in path order, as agree_on_session_names asks them
        mid = visits[landed].parent
        assert mid is not None
        parent = visits[mid].parent
        if parent is None:  # the path's first hop: no hop before it to name its caller
            continue
        prev_action, prev_answer = answers[mid]
        action, answer = answers[landed]
        if not names_evidence((None, prev_answer.caller, prev_answer.request), (None, answer.caller, answer.request)):
            continue
        extra = outcome.first_extra.get(parent[0], ()) if visits[parent].parent is None else ()
        session_agreement(engine, options, parent, mid, engine.witness(parent, mid[0], prev_action, prev_answer),
                          engine.witness(mid, landed[0], action, answer), extra)
    asked.update(new)


def ask_last_step(engine: ReachabilityEngine, outcome: Any, state: State) -> None:
    """:func:`ask_session_names` with :class:`SessionSteps` on a shared search's record, for a target first reached in
    ``state`` whose path's last step names a session (the hop before the last names the last hop's caller) and whose
    other steps name none: those ask nothing, so only the last step is asked (unless ``state`` was asked before), and
    ``state`` alone recorded; a later path through the states before it walks their steps again, which ask nothing
    either. The same questions in the same order as :func:`ask_session_names`, without walking the path (random:2 at
    20,000 roles: ~730,000 calls for roles nobody reads)."""
    asked = outcome.asked_names
    if asked is None:
        asked = outcome.asked_names = set()
    if state in asked or outcome.options is None:
        return
    visits, answers = outcome.visits, outcome.answers
    mid = visits[state].parent
    parent = visits[mid].parent
    assert parent is not None  # the last step names a session: it is not the path's first hop
    prev_action, prev_answer = answers[mid]
    action, answer = answers[state]
    extra = outcome.first_extra.get(parent[0], ()) if visits[parent].parent is None else ()
    session_agreement(engine, outcome.options, parent, mid, engine.witness(parent, mid[0], prev_action, prev_answer),
                      engine.witness(mid, state[0], action, answer), extra)
    asked.add(state)


def _names_session(prev: HopWitness, hop: HopWitness) -> bool:
    """Whether :func:`agree_on_session_names` asks the hop into ``prev.target`` again for ``hop``'s caller: not for
    privilege-escalation hops (:mod:`trustgraph.queries.escalate`: not assume-role calls), only for a role session's
    name that ``prev``'s request does not already give."""
    # names_evidence(evidence_of(prev), evidence_of(hop)), read off the hops without building the two tuples (a
    # who_can_reach query asks it once per source, :class:`~trustgraph.queries.agreed.AgreedPaths`)
    evidence = hop.evidence
    if hop.method is not None or prev.method is not None or not evidence:
        return False
    caller = evidence[0]
    if caller is None:
        return False
    name = getattr(caller, "session_name", None)
    if caller.kind is not CallerKind.ROLE_SESSION or name is None:
        return False
    request = prev.evidence[2] if prev.evidence else None
    return not (request is not None and request.get("sts:rolesessionname") == (name,))


def names_evidence(prev: tuple[str | None, Any, Any], hop: tuple[str | None, Any, Any]) -> bool:
    """:func:`_names_session` on the (method, caller, request) of each hop
    (:func:`~trustgraph.queries.outcome.evidence_of`)."""
    method, caller, _ = hop
    if method is not None or prev[0] is not None or caller is None:
        return False
    name = getattr(caller, "session_name", None)
    if caller.kind is not CallerKind.ROLE_SESSION or name is None:
        return False
    return not_named_by(prev[2], name)


def not_named_by(request: Any, name: str) -> bool:
    """Whether ``request`` (a hop's witness request, or None) leaves the session it starts unnamed as ``name``: it
    does not set ``sts:RoleSessionName`` to exactly that name, so a later hop by that session must agree on it."""
    return not (request is not None and request.get("sts:rolesessionname") == (name,))


def agree_on_session_names(engine: ReachabilityEngine, outcome: SearchOutcome, state: State,
                           hops: tuple[HopWitness, ...]) -> tuple[HopWitness, ...]:
    """The path with each hop's request naming the session the next hop's caller is (docs/semantics.md §4.3).

    The search treats the session name of a reached role as free; a later hop's witness may use a particular
    one (a trust policy naming ``assumed-role/R/S``, a condition on ``aws:userid``). The hop into R is then asked
    again with ``sts:RoleSessionName`` equal to that name; when R's trust policy does not allow it, the path is
    kept and the later hop is marked approximate (one :func:`session_agreement` per pair of hops, in path order)."""
    if len(hops) < 2 or outcome.options is None:
        return hops
    states: list[State] | None = None
    out = list(hops)
    for i in range(1, len(out)):
        # session_agreement's own first test, on the path as found (a step replaces or notes only fields it leaves
        # alone): most steps name no session, and their states are not read
        if not _names_session(hops[i - 1], hops[i]):
            continue
        if states is None:
            states = outcome.states_to(state)
        extra = outcome.first_extra.get(states[0][0], ()) if i == 1 else ()
        again, note = session_agreement(engine, outcome.options, states[i - 1], states[i], out[i - 1], out[i], extra)
        if again is not None:
            out[i - 1] = again
        elif note is not None:
            out[i] = noted(out[i], note)
    return tuple(out) if states is not None else hops


def session_agreement(engine: ReachabilityEngine, options: QueryOptions, parent: State, landed: State,
                      prev: HopWitness, cur: HopWitness, extra: tuple[KeyConstraint, ...]
                      ) -> tuple[HopWitness | None, str | None]:
    """One step of :func:`agree_on_session_names`: the hop ``prev`` from ``parent`` (``extra``: its first-hop
    constraints) lands in ``landed``, whose session is the caller of the next hop ``cur``. Returns the hop ``prev``
    asked again naming the session ``cur``'s witness uses (when that is needed and allowed), else the note ``cur``
    takes when it is needed and not allowed, else (None, None).

    It reads only the fields of the two hops a note leaves alone (method, evidence, target, action), so the steps
    of a path decide alike whatever the steps before them wrote."""
    from trustgraph.smt.solve import KeyConstraint, Sat

    if not _names_session(prev, cur):
        return None, None
    name = cur.evidence[0].session_name
    named = (*extra, KeyConstraint("sts:rolesessionname", "equals", (name,)))
    action = Action(prev.action)
    again = engine.solve(parent, prev.target, action, options, named)
    if isinstance(again, Sat) and engine.next_state(prev.target, again) != landed and \
            engine.produces_mfa(again) is not landed[1]:
        # z3 may pick the caller of the other MFA outcome (a symbolic source may be a user with or without MFA):
        # ask for the path's own outcome, as the search asked for it
        again = engine.solve(parent, prev.target, action, options, (*named, engine.flip(not landed[1])))
    if isinstance(again, Sat) and engine.next_state(prev.target, again) == landed:
        return engine.witness(parent, prev.target, action, again), None
    return None, (f"session name {name} of {prev.target} assumed to be chosen by the hop that assumed it, "
                  f"which its trust policy does not confirm for this path")


def noted(hop: HopWitness, note: str) -> HopWitness:
    """``hop`` with one more approximation note."""
    from dataclasses import replace

    return replace(hop, approximations=(*hop.approximations, note))


def unreachable_reason(engine: ReachabilityEngine, outcome: SearchOutcome, target: str) -> str:
    """Why no path exists: the blocking conditions from unsat cores, or that no principal matches."""
    if target not in engine.G or engine.G.nodes[target]["kind"] != NodeKind.ROLE.value:
        return f"`{target}` is not a role of the loaded exports"
    blocked = outcome.blocked.get(target)
    if blocked:
        parts = [f"from {caller}: {engine.explain_unsat(target, result)}" for caller, result in blocked[:3]]
        return "blocked: " + " | ".join(parts)
    if engine.G.in_degree(target) == 0:
        return "no principal matches: the trust policy names no principal that exists or can be anyone"
    return (f"no principal matches: the trust policy of `{target}` names no principal that "
            f"`{outcome.source}` is or can become")


def explain_unsat(engine: ReachabilityEngine, role: str, result: Any) -> str:
    """The unsat core in words, with each blocking statement or condition of the role's trust policy quoted."""
    if isinstance(result, DerivedUnsat):
        result = result.solved()
    parts = list(result.core) or ["no request satisfies the hop"]
    trust = engine.estate.role_by_arn[role].trust_policy
    for loc in result.locations:
        parts.append(f"{describe_location(trust, loc)} at {loc}")
    return "; ".join(dict.fromkeys(parts))


def describe_location(policy: Any, loc: Location) -> str:
    """A trust statement or condition named by its location, in words (``Deny statement DenyOutsideOrg if
    StringNotEquals aws:PrincipalOrgID ['o-...']``)."""
    for st in policy.statements:
        if st.location == loc:
            conds = " and ".join(str(c) for c in st.conditions)
            return f"{st.effect.value} statement {st.label}" + (f" if {conds}" if conds else "")
        for c in st.conditions:
            if c.location == loc:
                return f"condition {c} of statement {st.label}"
    return "policy element"


def locations_of(hops: Iterable[HopWitness]) -> tuple[Location, ...]:
    """Every statement location along a path, without repeats."""
    return tuple(dict.fromkeys(loc for h in hops for loc in h.statements))


__all__ = ["SessionSteps", "agree_on_session_names", "ask_last_step", "ask_session_names", "describe_location",
           "explain_unsat", "locations_of", "names_evidence", "not_named_by", "noted", "result_for",
           "session_agreement", "unreachable_reason"]
