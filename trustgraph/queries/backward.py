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

Carried facts: when the estate reads a source identity or principal tags a session can carry
(:mod:`trustgraph.queries.carry`), a hop refused to a session that carries nothing may be allowed to one that does,
so such a refused hop into a role that reaches or may reach the target counts as "may" (the pruning keeps it, the
forward search decides it).

Undecided hops: the unpruned search answered "unknown" for a source that does not reach the target when it met any
undecided hop into an ancestor of the target in the graph; the pruned one meets only the undecided hops into roles
that reach or may reach the target through decided and undecided hops, so a source whose every undecided route ends
at a proven-blocked hop is now (soundly) not listed. Without undecided hops the answers are the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    from trustgraph.queries.engine import ReachabilityEngine, State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.smt.solve import KeyConstraint

REACHES = 2
MAYBE = 1


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
    successors
        Node -> its candidates into examined roles, (role, edge data) in the node's candidate order.
    """

    target: str
    status: dict[State, int] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    successors: dict[str, list[tuple[tuple[int, int], str, dict[str, Any]]]] = field(default_factory=dict)

    def candidates(self, node: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """The pruned candidate list of ``node`` (for :meth:`ReachabilityEngine.search`)."""
        return [(role, data) for _, role, data in self.successors.get(node, ())]


def backward_closure(
    engine: ReachabilityEngine,
    target: str,
    options: QueryOptions,
    *,
    outside_only: bool = False,
    starts: frozenset[str] | None = None,
) -> Backward:
    """The states that reach or may reach ``target`` and the pruned candidate lists (see the module docstring).

    ``outside_only`` and ``starts`` are those of the forward searches that will use the result: a non-role node is
    only ever a start, so it counts only when it is one of ``starts`` (None: any node) and
    :meth:`ReachabilityEngine.source_constraints` admits it; its hops then carry those first-hop constraints and the
    query's first-hop action, as in the forward search.
    """
    from trustgraph.smt.solve import Sat, Unknown

    G = engine.G
    out = Backward(target)
    status = out.status
    status[(target, False)] = REACHES
    status[(target, True)] = REACHES
    role_kind = NodeKind.ROLE.value
    first_extra: dict[str, tuple[KeyConstraint, ...] | None] = {}
    possible: dict[str, bool] = {}
    user_kind = NodeKind.USER.value

    def source_extra(node: str) -> tuple[KeyConstraint, ...] | None:
        if node not in first_extra:
            if starts is not None and node not in starts:
                first_extra[node] = None
            else:
                first_extra[node] = engine.source_constraints(node, outside_only=outside_only)
        return first_extra[node]

    def landing(state: State, role: str, action: Action, extra: tuple[KeyConstraint, ...]) -> int:
        """The best status a hop from ``state`` into ``role`` can give its caller."""
        result = engine.decide(state, role, action, options, extra)
        if isinstance(result, Sat):
            produced = engine.produces_mfa(result)
            best = status.get((role, produced), 0)
            if best < REACHES and engine.flips_mfa(state[0], action):
                alt = engine.decide(state, role, action, options, (*extra, engine.flip(produced)))
                if isinstance(alt, Sat) and engine.produces_mfa(alt) is not produced:
                    best = max(best, status.get((role, not produced), 0))
            return best
        if isinstance(result, Unknown):
            return MAYBE
        if engine.demand:  # a session carrying a source identity or transitive tags may get in where this one cannot
            return min(MAYBE, max(status.get((role, False), 0), status.get((role, True), 0)))
        return 0

    def mfa_session_possible(role: str) -> bool:
        """A necessary condition for a session of ``role`` with MFA: some IAM user (when MFA matters to the estate:
        only then do users start with MFA) or symbolic AWS caller is one of its in-candidates. A session that is
        never produced only costs hops here; the forward searches never visit it."""
        cached = possible.get(role)
        if cached is None:
            cached = any(G.nodes[u]["kind"] != user_kind or engine.mfa_sensitive
                         for u, _ in engine.mfa_in_candidates(role))
            possible[role] = cached
        return cached

    work: deque[str] = deque([target])
    examined: set[str] = set()
    while work:
        role = work.popleft()
        first = role not in examined
        examined.add(role)
        for u, data, key in engine.in_candidates(role):
            if first:
                out.successors.setdefault(u, []).append((key, role, data))
            action = Action(data["action"])
            is_role = G.nodes[u]["kind"] == role_kind
            callers: tuple[State, ...]
            extra: tuple[KeyConstraint, ...] | None = ()
            if is_role:
                callers = ((u, False), (u, True)) if mfa_session_possible(u) else ((u, False),)
                if options.action is not None and (starts is None or u in starts) and action is options.action:
                    out.sources.add(u)  # its first hop is restricted: a candidate, decided by its own search
            else:
                extra = source_extra(u)
                if extra is None or (options.action is not None and action is not options.action):
                    continue
                callers = engine.start_states(u)
            assert extra is not None
            for state in callers:
                before = status.get(state, 0)
                if before == REACHES:
                    continue
                got = landing(state, role, action, extra)
                if got > before:
                    status[state] = got
                    if is_role:
                        work.append(u)
                        if options.action is None and state[1] is False and (starts is None or u in starts):
                            out.sources.add(u)
                    else:
                        out.sources.add(u)
    for succ in out.successors.values():
        succ.sort(key=lambda item: item[0])
    out.sources.discard(target)
    return out


__all__ = ["MAYBE", "REACHES", "Backward", "backward_closure"]
