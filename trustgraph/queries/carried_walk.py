"""Whether one source of a carried reverse search (:class:`~trustgraph.queries.reverse_carried.CarriedPaths`) misses
the target, by a walk from its own landings (``GraphQueries.local_misses``, ``CarriedPaths(local=True)``).

A source the lazy pass finds no landing for within ``LAZY_BOUND`` hops used to fall back on the levels: the first
hops of every source of the query asked, and every state reachable from them expanded, so that its distances and
which states reach an undecided hop are exact. A source with no path at all is then not listed, when none of its
states reaches an undecided hop either (``CarriedPaths.misses``). The walk answers that question for the source
alone: its first hops (none undecided), then the states reachable from them over the same graph (each state's
successors after the first hop, the same for every source), none of them the target's, proved within a distance of
it, or expanded with an undecided hop. The forward search from the source takes only paths of that graph (it also
never expands a start state twice), so a source the walk finds missing finds neither the target nor an undecided
hop: not listed, as by the levels. Every state a walk that found none visited is dead (its whole forward closure was
walked) and stops later walks and the lazy pass's bounded searches. A source whose walk finds something falls back
on the levels as before.

Measured on random:5 at 2,000 roles (one engine, in turn, loaded machine): a hub role reached by 1,985 of 1,991
sources took 12-17 s, all in the levels one source with no path triggered (its own search: 2 ms); with the walk
1-4 s. While more sources were walked missing than the lazy pass answered, a source is walked before its bounded
searches (a role no source reaches: those searches were 22 of 24 s). ``tests/queries/test_local_misses.py`` compares
it with the levels field by field.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from trustgraph.queries.engine import State

#: a state's successors (with their witnesses) and whether one of its hops is undecided
Hops = tuple[tuple[tuple["State", Any], ...], bool]


class Walks:
    """The walks of one query: each walked state's hops, the dead states, each source's verdict, and how many sources
    were walked missing and answered by the lazy pass."""

    def __init__(self) -> None:
        self.walked: dict[State, Hops] = {}
        self.dead: set[State] = set()
        self.missed: dict[tuple[str, ...], bool] = {}
        self.found = 0
        self.answered = 0

    @property
    def first(self) -> bool:
        """Whether to walk a source before its bounded searches: more sources were walked missing than answered."""
        return self.found > self.answered

    def misses(self, starts: tuple[str, ...], target: str, first_hops: Callable[[str], Iterable[Hops] | None],
               later_hops: Callable[[State], Hops], near: Callable[[State], bool]) -> bool:
        """Whether the source ``starts`` misses ``target`` (module docstring), memoised. ``first_hops``: a node's
        first hops per start state (None: not a graph node); ``later_hops``: a state's hops after the first;
        ``near``: a state proved within a distance of the target."""
        known = self.missed.get(starts)
        if known is None:
            known = self.missed[starts] = self._walk(starts, target, first_hops, later_hops, near)
            self.found += known
        return known

    def _walk(self, starts: tuple[str, ...], target: str, first_hops: Callable[[str], Iterable[Hops] | None],
              later_hops: Callable[[State], Hops], near: Callable[[State], bool]) -> bool:
        dead, walked = self.dead, self.walked
        stack: list[State] = []
        for node in starts:
            hops = first_hops(node)
            if hops is None:
                return False
            for found, undecided in hops:
                if undecided:
                    return False
                stack.extend(nxt for nxt, _ in found)
        seen: set[State] = set()
        while stack:
            state = stack.pop()
            if state in seen or state in dead:
                continue
            if state[0] == target or near(state):
                return False
            seen.add(state)
            hit = walked.get(state)
            if hit is None:
                hit = walked[state] = later_hops(state)
            if hit[1]:
                return False
            stack.extend(nxt for nxt, _ in hit[0] if nxt not in seen and nxt not in dead)
        dead.update(seen)
        return True


_N = TypeVar("_N")


def levels_back(ends: Iterable[_N], back: Mapping[_N, Iterable[_N]]) -> dict[_N, int]:
    """Breadth-first from ``ends`` (0) over ``back`` (a node's predecessors): each node reached with its least number
    of edges to one of them."""
    dist = dict.fromkeys(ends, 0)
    queue = deque(dist)
    while queue:
        node = queue.popleft()
        for prev in back.get(node, ()):
            if prev not in dist:
                dist[prev] = dist[node] + 1
                queue.append(prev)
    return dist


__all__ = ["Walks", "levels_back"]
