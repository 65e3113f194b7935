"""The next depth of a replayed assume-role search read for some roles only, without advancing the search.

A mixed search stopped at its shortest administrator answer (:func:`~trustgraph.queries.escalate.
layered_mixed_search` with ``stop_at_admin``) reads, at the length ``A`` of that answer, the next depth of every
assume-role search it has taken, deciding every hop of that depth, while only the admin-equivalent roles among the
nodes so reached can matter: a node first obtained at length ``A`` offers only what is ``A + 1`` hops away, which the
search never reads, or, when it holds administrator power, ``admin:ACCOUNT`` at ``A``. :func:`peek_layer` gives the
nodes of a set of roles (the admin-equivalent ones) that :meth:`~trustgraph.queries.shared.Replay.advance` would
first reach at the next depth, in the order it would reach them, each with the state, parent and Sat answer of its
first reach, deciding only the hops into those roles (each by :meth:`~trustgraph.queries.shared.SharedSearches.
decide_slot`, where ``advance`` decides its hops too, and kept in the expansion's slot, where ``advance`` and every
later search read it: a hop is never decided twice). The replay itself is left where it was: a search that finds no
administrator at that length then advances it as before.

Why the order and parents are those of ``advance``: the states of the depth before are all found (the replay was
advanced to it) and are expanded in the same order; within a state the hops are walked in the same order; a node is
first reached by the first (state, hop) whose answer leads to a state not yet reached, and a role's states are only
reached by hops into that role, so leaving out the hops into other roles changes neither which hop first reaches a
kept role nor which of its states are already reached (the plain-session filter, ``(role, False)`` reached, reads
states of that role only). The reference is ``advance`` itself (``AssumeReaches(admin_first=False)``,
``tests/checks/test_priv_admin_first.py``).

Cost: per state of the depth, a lookup of its expansion and of the positions of the kept roles in its hop list
(memoised per hop list: the hop lists of a hub's members are one tuple), and one decision per kept hop.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from trustgraph.queries.sharedmoves import Move, leads_of

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.replay import Replay
    from trustgraph.semantics.request import Action
    from trustgraph.smt.solve import Sat

#: one node reached: (its node, the state first reached, the state it was reached from, the hop's action and answer)
Peeked = tuple[str, "State", "State", "Action", "Sat"]


class KeptHops:
    """The positions, in a hop list, of the hops into a fixed set of roles: memoised per hop list (a hub's members
    share one tuple, so a list is scanned once however many states have it). Keyed by the list's identity, the list
    kept alongside so that the identity is never reused while its entry lives."""

    def __init__(self, roles: Container[str]) -> None:
        self.roles = roles
        self._positions: dict[int, tuple[tuple[Any, ...], tuple[int, ...]]] = {}

    def positions(self, hops: tuple[tuple[str, Action], ...]) -> tuple[int, ...]:
        """The positions of the hops of ``hops`` whose role is one of :attr:`roles`, in order."""
        hit = self._positions.get(id(hops))
        if hit is None or hit[0] is not hops:
            roles = self.roles
            hit = self._positions[id(hops)] = (hops, tuple(i for i, (role, _) in enumerate(hops) if role in roles))
        return hit[1]


def peek_layer(replay: Replay, kept: KeptHops, depth: int) -> list[Peeked] | None:
    """The nodes of ``kept.roles`` that ``replay.advance`` would first reach ``depth`` hops from the source, in
    order, each with its first state, that state's parent and the hop's action and Sat answer, when the replay is
    advanced to ``depth - 1`` exactly (its next state to expand is that deep); else None (done, or advanced deeper:
    the caller reads the layer as it is). Only the hops into those roles are decided (see the module docstring)."""
    from trustgraph.smt.solve import Sat

    queue = replay.queue
    visits = replay.outcome.visits
    if not queue or visits[queue[0]].depth != depth - 1:
        return None
    shared, options = replay.shared, replay.options
    engine = shared.engine
    plain_states = engine._plain_states
    found: dict[State, None] = {}  # the states of kept roles reached at the next depth, so far
    out: list[Peeked] = []
    firsts: set[str] = set()
    for state in queue:
        at = visits[state].depth
        if at != depth - 1:
            break
        if options.max_hops is not None and at >= options.max_hops:
            continue
        expansion = shared.expansion(state, at, options, replay.extra or () if at == 0 else ())
        plain, hops, slots = expansion.plain, expansion.hops, expansion.moves
        for i in kept.positions(hops):
            role, action = hops[i]
            if plain:
                own = (role, False)
                if own in visits or own in found:
                    continue
            move = slots[i]
            if move is None:  # decided as Replay.advance decides it
                move = shared.decide_slot(state, i, options, expansion)
            if isinstance(move, Move):  # blocked or undecided: reaches nothing
                continue
            if isinstance(move, Sat):  # one lead, to the plain state of the role
                nxt = plain_states[(role, False)]
                if not plain and (nxt in visits or nxt in found):
                    continue
                found[nxt] = None
                if role not in firsts:
                    firsts.add(role)
                    out.append((role, nxt, state, action, move))
                continue
            for lead, answer, _ in leads_of(move):
                if lead in visits or lead in found:
                    continue
                found[lead] = None
                if lead[0] not in firsts:
                    firsts.add(lead[0])
                    out.append((lead[0], lead, state, action, answer))
    return out


__all__ = ["KeptHops", "Peeked", "peek_layer"]
