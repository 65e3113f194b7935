"""A closure's successor lists (:meth:`Backward.successors`: a node's candidates into examined roles, in its candidate
order) copied off the cache's out rows when the closure examined every role the cache built rows for, against the
filter they were built with before (each out row kept when its role is examined): the same list for every node
asked, over every role of random organizations asked as a target in turn on one engine (so later closures share a
cache that earlier ones filled), with both branches taken; and never the cache's own list, which later queries'
rows extend (the list is kept with the hops joined over it). And the carried reverse search's candidates of a
node into the target read off the target's rows (``CarriedPaths._target_rows``) against that node's list filtered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.queries.helpers import ask_every_role, synthesized
from trustgraph.queries import backward
from trustgraph.queries.backward import Backward


@pytest.mark.parametrize(("profile", "seed"), [("random", 6), ("random", 11), ("mix", 3)])
def test_successors_match_the_filtered_out_rows(profile: str, seed: int, tmp_path: Path) -> None:
    tg = synthesized(tmp_path, profile, seed, 25)
    original = backward.backward_closure
    copied = [0]
    filtered = [0]

    def checked(*args: Any, **kwargs: Any) -> Backward:
        closure = original(*args, **kwargs)
        everything = len(closure.cache.rows) == len(closure.examined)
        for node in sorted(closure.examined | closure.sources):
            found = closure.successors(node)
            out = closure.cache.out_of(node)
            assert found == [e for e in out if e[1] in closure.examined], (closure.target, node)
            assert found is not out or not out, (closure.target, node)
        if everything:
            copied[0] += 1
        else:
            filtered[0] += 1
        return closure

    ask_every_role(tg, backward, "backward_closure", checked)
    assert copied[0] > 0 and filtered[0] > 0, (copied, filtered)


@pytest.mark.parametrize("seed", [6, 11])
def test_target_rows_are_the_successors_into_the_target(seed: int, tmp_path: Path) -> None:
    """``CarriedPaths._target_rows`` (a node's candidates into the target, read off the target's rows) against the
    node's successor list filtered to the target, for every node it is asked for."""
    from trustgraph.queries.reverse_carried import CarriedPaths

    tg = synthesized(tmp_path, "random", seed, 25)
    assert tg.engine.demand, "the estate must read a carried value (else the carried reverse search is not used)"
    original = CarriedPaths._target_rows
    asked = [0]
    nonempty = [0]

    def checked(self: CarriedPaths, node: str) -> list[tuple[Any, ...]]:
        found = original(self, node)
        assert found == [e for e in self.closure.successors(node) if e[1] == self.target], (self.target, node)
        asked[0] += 1
        nonempty[0] += bool(found)
        return found

    ask_every_role(tg, CarriedPaths, "_target_rows", checked)
    assert nonempty[0] > 0 and asked[0] > nonempty[0], (asked, nonempty)
