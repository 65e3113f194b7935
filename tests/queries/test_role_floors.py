"""The floors of the carried reverse search (``CarriedPaths._role_floors``: each role's least number of hops to the
target over the closure's candidates) read off the closure's in-candidate rows, against the same breadth-first pass
over every node's successor list (:meth:`Backward.successors`, what it read before): equal for every role asked as a
target on random organizations whose policies read carried values, with floors beyond one hop among them (so a
pass that got only the target's own in-candidates right would fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.queries.helpers import ask_every_role, synthesized
from trustgraph.queries.reverse_carried import CarriedPaths, levels_back


def _by_successors(paths: CarriedPaths) -> dict[str, int]:
    """The floors as they were computed: backwards over :meth:`Backward.successors` of every examined role and
    source."""
    closure = paths.closure
    back: dict[str, list[str]] = {}
    for node in closure.examined | closure.sources:
        for _, role, _ in closure.successors(node):
            back.setdefault(role, []).append(node)
    return levels_back([paths.target], back)


@pytest.mark.parametrize("seed", [6, 11])
def test_role_floors_match_the_successor_lists(seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, "random", seed, 25)
    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    original = CarriedPaths._role_floors
    compared = [0]
    deepest = [0]

    def checked(self: CarriedPaths) -> dict[str, int]:
        floors = original(self)
        assert floors == _by_successors(self), self.target
        compared[0] += 1
        deepest[0] = max(deepest[0], *floors.values())
        return floors

    ask_every_role(tg, CarriedPaths, "_role_floors", checked)
    assert compared[0] > 0 and deepest[0] >= 2, (compared, deepest)
