"""What one breadth-first search of the trust graph found (:meth:`trustgraph.queries.engine.ReachabilityEngine.search`
and the searches that build the same record: the shared, reverse and backward ones): the states visited with how each
was first reached, the first state of each node, and the hops that were undecided or blocked on the way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.queries.candidates import State
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import HopWitness

if TYPE_CHECKING:
    from trustgraph.smt.solve import KeyConstraint


def evidence_of(hop: HopWitness) -> tuple[str | None, Any, Any]:
    """(escalation method, caller, request) of a witnessed hop (caller and request None without evidence)."""
    return (hop.method, *(hop.evidence[0::2] if hop.evidence else (None, None)))


@dataclass
class Visit:
    """How a state was first reached: the state before it, the witness of the hop, the number of hops."""

    parent: State | None
    witness: HopWitness | None
    depth: int


@dataclass
class SearchOutcome:
    """What one breadth-first search from one source found."""

    source: str
    visits: dict[State, Visit] = field(default_factory=dict)
    first: dict[str, State] = field(default_factory=dict)  # node -> the state it was first (shortest) reached in
    unknown_edges: list[tuple[State, str, str]] = field(default_factory=list)  # (state, role, reason)
    #: role -> [(caller node, its Unsat answer)]; explained (unsat cores read) only when a reason is asked for
    blocked: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    #: (hub, identity shape) -> its edges to roles not yet reached without MFA (ReachabilityEngine._session_candidates)
    pending: dict[tuple[str, int], Sequence[tuple[str, dict[str, Any], str, int]]] = field(default_factory=dict)
    #: the query's options and each start's first-hop constraints (to ask a hop of a found path again)
    options: QueryOptions | None = None
    first_extra: dict[str, tuple[KeyConstraint, ...]] = field(default_factory=dict)
    #: the states whose path's session names were asked for a target nobody reads the answer of, ancestors included
    #: (:func:`trustgraph.queries.answers.ask_session_names`; None until the first); not part of what was found
    asked_names: set[State] | None = field(default=None, compare=False, repr=False)

    def states_to(self, state: State) -> list[State]:
        """The states of the path from the source to ``state``, the source's first."""
        out: list[State] = []
        cur: State | None = state
        while cur is not None:
            out.append(cur)
            cur = self.visits[cur].parent
        return out[::-1]

    def first_state(self, node: str) -> State | None:
        """The state in which ``node`` was first reached (a shortest path), if any."""
        return self.first.get(node)

    def path_to(self, state: State) -> tuple[HopWitness, ...]:
        """The hops from the source to ``state``."""
        hops: list[HopWitness] = []
        cur: State | None = state
        while cur is not None:
            visit = self.visits[cur]
            if visit.witness is not None:
                hops.append(visit.witness)
            cur = visit.parent
        return tuple(reversed(hops))

    def evidence_to(self, state: State) -> tuple[tuple[str | None, Any, Any], ...]:
        """For each hop from the source to ``state``: its escalation method (None for an assume-role hop), its
        caller and its request (None when the witness has no evidence), read without building anything a subclass
        builds lazily (:class:`trustgraph.queries.shared.SharedOutcome`)."""
        return tuple(evidence_of(h) for h in self.path_to(state))



__all__ = ["SearchOutcome", "Visit", "evidence_of"]
