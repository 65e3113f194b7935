"""The answer of a search for one (source, target): the path found, with each hop's request naming the session the
next hop's caller is, or why no path exists (split from :mod:`trustgraph.queries.engine`, whose
:class:`~trustgraph.queries.engine.ReachabilityEngine` keeps a method of each name that calls these).

Cost: linear in the path's length (one more hop question per hop whose next caller needs a session name), or in the
blocked hops recorded for the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.derived import DerivedUnsat
from trustgraph.queries.outcome import evidence_of
from trustgraph.queries.results import HopWitness, Reach, ReachResult
from trustgraph.semantics.request import Action, CallerKind

if TYPE_CHECKING:
    from trustgraph.model.location import Location
    from trustgraph.queries.candidates import State
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.outcome import SearchOutcome


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
    steps = outcome.evidence_to(state)
    if any(_names_session(steps[i - 1], steps[i]) for i in range(1, len(steps))):
        engine.agree_on_session_names(outcome, state, outcome.path_to(state))


def _names_session(prev: tuple[str | None, Any, Any], hop: tuple[str | None, Any, Any]) -> bool:
    """Whether :func:`agree_on_session_names` asks the hop into the role of ``prev`` again for the caller of
    ``hop`` (each (method, caller, request), :meth:`SearchOutcome.evidence_to`)."""
    method, caller, _ = hop
    if method is not None or prev[0] is not None or caller is None:
        return False
    name = getattr(caller, "session_name", None)
    if caller.kind is not CallerKind.ROLE_SESSION or name is None:
        return False
    return not (prev[2] is not None and prev[2].get("sts:rolesessionname") == (name,))


def agree_on_session_names(engine: ReachabilityEngine, outcome: SearchOutcome, state: State,
                           hops: tuple[HopWitness, ...]) -> tuple[HopWitness, ...]:
    """The path with each hop's request naming the session the next hop's caller is (docs/semantics.md §4.3).

    The search treats the session name of a reached role as free; a later hop's witness may use a particular
    one (a trust policy naming ``assumed-role/R/S``, a condition on ``aws:userid``). The hop into R is then asked
    again with ``sts:RoleSessionName`` equal to that name; when R's trust policy does not allow it, the path is
    kept and the later hop is marked approximate."""
    from dataclasses import replace

    from trustgraph.smt.solve import KeyConstraint, Sat

    if len(hops) < 2 or outcome.options is None:
        return hops
    states = outcome.states_to(state)
    out = list(hops)
    for i in range(1, len(out)):
        # not for privilege-escalation hops (queries.escalate): they are not assume-role calls
        if not _names_session(evidence_of(out[i - 1]), evidence_of(out[i])):
            continue
        name = out[i].evidence[0].session_name
        prev = out[i - 1]
        parent = states[i - 1]
        extra = outcome.first_extra.get(parent[0], ()) if i == 1 else ()
        named = (*extra, KeyConstraint("sts:rolesessionname", "equals", (name,)))
        action = Action(prev.action)
        again = engine.solve(parent, prev.target, action, outcome.options, named)
        if isinstance(again, Sat) and engine.next_state(prev.target, again) == states[i]:
            out[i - 1] = engine.witness(parent, prev.target, action, again)
        else:
            note = (f"session name {name} of {prev.target} assumed to be chosen by the hop that assumed it, "
                    f"which its trust policy does not confirm for this path")
            out[i] = replace(out[i], approximations=(*out[i].approximations, note))
    return tuple(out)


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


__all__ = ["agree_on_session_names", "ask_session_names", "describe_location", "explain_unsat", "locations_of",
           "result_for", "unreachable_reason"]
