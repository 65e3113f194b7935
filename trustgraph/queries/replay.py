"""One search of :meth:`~trustgraph.queries.shared.SharedSearches.search`: the walk over the shared expansions
(:mod:`trustgraph.queries.shared` says what is shared and why), advanced one depth at a time."""

from __future__ import annotations

from array import array
from collections import deque
from typing import TYPE_CHECKING

from trustgraph.graph.nodes import graph_version
from trustgraph.queries.memorows import MemoRows
from trustgraph.queries.outcome import Visit
from trustgraph.queries.sharedmoves import BLOCKED, Move, SharedOutcome

if TYPE_CHECKING:
    from trustgraph.queries.candidates import State
    from trustgraph.queries.options import QueryOptions
    from trustgraph.queries.shared import SharedSearches
    from trustgraph.queries.sharedmoves import Leads
    from trustgraph.semantics.request import Action


class Replay:
    """One search of :meth:`SharedSearches.search`, advanced on demand one depth at a time: after
    ``advance(depth)`` the states up to ``depth`` hops from the source are all found, with the parents, witnesses
    and order of the whole search (it is breadth-first: a state is found while the states one hop shallower are
    expanded, in the order they were found), and no deeper state is. A reader that needs the first hops only (a mixed
    search stopped at its shortest administrator answer) does not pay for the rest."""

    def __init__(self, shared: SharedSearches, source: str, options: QueryOptions, *,
                 outside_only: bool = False) -> None:
        engine = shared.engine
        if graph_version(engine.G) != shared._version:  # a tool changed the graph (graph.nodes.bump_version)
            shared._expansions.clear()
            shared._tables.clear()
            shared._hub_hops.clear()
            shared._node_parts.clear()
            shared._hub_bases.clear()
            shared._part_bases.clear()
            shared._listed.clear()
            shared._version = graph_version(engine.G)
        self.shared = shared
        self.options = options
        self.outcome = SharedOutcome(source, options=options, engine=engine)
        self.queue: deque[State] = deque()
        self.extra = engine.source_constraints(source, outside_only=outside_only)
        if self.extra is not None:
            self.outcome.first_extra[source] = self.extra
        #: id of a part of plain sessions' hops (``Expansion.parts``) -> the part and the indexes of its hops
        #: into roles this search had not reached when it last walked the part (:attr:`SharedSearches.part_walks`)
        self._left: dict[int, tuple[tuple[tuple[str, Action], ...], list[int]]] = {}
        if self.extra is not None:
            for start in engine.start_states(source):
                self.outcome.visits[start] = Visit(None, None, 0)
                self.queue.append(start)

    @property
    def done(self) -> bool:
        """Whether every state is expanded (the search is whole)."""
        return not self.queue

    def advance(self, depth: int | None = None) -> None:
        """Expand the states found less than ``depth`` hops from the source (every state: None)."""
        shared, options, queue, outcome, extra = self.shared, self.options, self.queue, self.outcome, self.extra
        visits = outcome.visits
        from trustgraph.smt.solve import Sat

        engine, class_moves = shared.engine, shared.class_moves
        wide = shared.wide_class_moves  # a role state that is not plain: its class moves read the rows too
        plain_states = engine._plain_states
        by_rows = shared.memo_rows and shared.base_checks and MemoRows.usable(engine)
        deeper = shared.table(False, options, ()) if shared.state_tables else None  # the start states: few
        answers, first, left = outcome.answers, outcome.first, self._left
        part_bases = shared._part_bases if shared.shared_parts else None
        own: tuple[str, bool]
        rows: MemoRows | None  # the engine's memo rows of a state (memo_rows), read when first needed
        leads: Leads
        while queue and (depth is None or visits[queue[0]].depth < depth):
            state = queue.popleft()
            at = visits[state].depth
            if options.max_hops is not None and at >= options.max_hops:
                continue
            found = None if deeper is None or at == 0 else deeper.get(state)
            expansion = found if found is not None else shared.expansion(state, at, options,
                                                                         extra or () if at == 0 else ())
            parts = expansion.parts
            if parts is not None:  # a plain session's hops, part by part (SharedSearches.part_walks)
                slots = expansion.moves
                newly_blocked = False
                rows = None
                for offset, part in parts:
                    based = part_bases.get(id(part)) if part_bases else None
                    if based is not None and based[0] is part:  # walked as its hub's list (shared_parts)
                        walked, local = based[1], based[2]
                    else:
                        walked, local = part, None
                    entry = left.get(id(walked))
                    kept: list[int] = []
                    for b in (range(len(walked)) if entry is None else entry[1]):
                        role, action = walked[b]
                        own = (role, False)
                        if own in visits:  # reached: dropped from the list for the rest of the search
                            continue
                        if local is None:
                            j = b
                        else:
                            j = local[b]
                            if j < 0:  # not a hop of this part: left in the list for the other parts
                                kept.append(b)
                                continue
                        i = offset + j
                        move = slots[i]
                        if move is None:
                            if by_rows and rows is None and (class_moves or expansion.base is not None
                                                             and isinstance(expansion.base[i], Sat)):
                                rows = MemoRows(engine, state, options, expansion.extra)
                            move = shared.decide_slot(state, i, options, expansion, rows)
                            newly_blocked |= move is BLOCKED
                        if isinstance(move, Move):  # blocked (BLOCKED, unknown None) or undecided: kept
                            if move.unknown is not None:
                                outcome.unknown_edges.append((state, move.role, move.unknown))
                            kept.append(b)
                            continue
                        if isinstance(move, Sat):  # a Sat move: one lead, to the plain state of the hop's role
                            nxt = plain_states[own]  # not reached yet (tested above)
                            visits[nxt] = Visit(state, None, at + 1)
                            answers[nxt] = (action, move)
                            first.setdefault(role, nxt)
                            queue.append(nxt)
                            continue
                        leads = (move,) if move[-1].__class__ is bool else move  # type: ignore[assignment]
                        for nxt, answer, _ in leads:
                            if nxt in visits:
                                continue
                            visits[nxt] = Visit(state, None, at + 1)
                            answers[nxt] = (action, answer)
                            first.setdefault(nxt[0], nxt)
                            queue.append(nxt)
                        if own not in visits:
                            kept.append(b)
                    left[id(walked)] = (walked, kept)
                if newly_blocked:
                    expansion.live = array("I", [i for i in expansion.live if slots[i] is not BLOCKED])
                continue
            plain, hops, slots = expansion.plain, expansion.hops, expansion.moves
            newly_blocked = False
            own = ("", False)
            rows = None
            for i in expansion.live:
                role = hops[i][0]
                if plain:
                    own = (role, False)
                    if own in visits:
                        continue
                move = slots[i]
                if move is None:
                    if by_rows and rows is None and (class_moves and (plain or wide) or expansion.base is not None
                                                     and isinstance(expansion.base[i], Sat)):
                        rows = MemoRows(engine, state, options, expansion.extra)
                    move = shared.decide_slot(state, i, options, expansion, rows)
                    newly_blocked |= move is BLOCKED
                if isinstance(move, Move):  # blocked (BLOCKED, unknown None) or undecided
                    if move.unknown is not None:
                        outcome.unknown_edges.append((state, move.role, move.unknown))
                    continue
                action = hops[i][1]
                if isinstance(move, Sat):  # a Sat move: one lead, to the plain state of the hop's role
                    if plain:
                        nxt = plain_states[own]  # not reached yet (tested above)
                    else:
                        nxt = plain_states[(role, False)]
                        if nxt in visits:
                            continue
                    visits[nxt] = Visit(state, None, at + 1)
                    outcome.answers[nxt] = (action, move)
                    outcome.first.setdefault(role, nxt)
                    queue.append(nxt)
                    continue
                leads = (move,) if move[-1].__class__ is bool else move  # type: ignore[assignment]  # leads_of
                for nxt, answer, _ in leads:
                    if nxt in visits:
                        continue
                    visits[nxt] = Visit(state, None, at + 1)
                    outcome.answers[nxt] = (action, answer)
                    outcome.first.setdefault(nxt[0], nxt)
                    queue.append(nxt)
            if newly_blocked:  # later searches walk only the hops not known to be blocked
                expansion.live = array("I", [i for i in expansion.live if slots[i] is not BLOCKED])



__all__ = ["Replay"]
