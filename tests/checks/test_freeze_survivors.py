"""What a checked role leaves frozen out of the collector's walks: its survivors, not its dead cycles
(:func:`trustgraph.checks.parallel.freeze_survivors`)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from trustgraph.api import TrustGraph, load
from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
from trustgraph.checks.parallel import Task, freeze_survivors, run_task
from trustgraph.checks.runner import run_checks


class _Node:
    """A weakly referenceable object to put in a cycle."""

    def __init__(self) -> None:
        self.other: Any = None


class _CycleMaker(BaseCheck):
    """A check that finds nothing, leaves one dead cycle per role (as the solver's symbolic requests do) and keeps one
    live object per role (as a memo does)."""

    id = "test-cycle-maker"

    def __init__(self) -> None:
        self.dead: list[weakref.ref[_Node]] = []
        self.kept: list[_Node] = []

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        self.dead.append(weakref.ref(a))
        self.kept.append(_Node())
        return ()


@contextmanager
def _no_automatic_collections() -> Iterator[None]:
    """Nothing frozen before, the automatic collections off (so only the code under test collects), both restored."""
    assert gc.get_freeze_count() == 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def test_a_dead_cycle_is_collected_and_the_survivors_frozen() -> None:
    with _no_automatic_collections():
        gc.freeze()
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        dead = weakref.ref(a)
        kept = _Node()
        del a, b
        assert dead() is not None  # only a collection frees a cycle
        freeze_survivors()
        assert dead() is None
        assert gc.is_tracked(kept) and gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # frozen: out of every generation's walks


def _ctx() -> ScanContext:
    tg = load()
    return ScanContext(TrustGraph(tg.estate, tg.zone, tg.graph))


def test_a_task_frozen_after_each_role_leaves_no_dead_cycle_frozen() -> None:
    ctx = _ctx()
    check = _CycleMaker()
    with _no_automatic_collections():
        assert run_task(ctx, [check], Task(checks=(0,), roles=ctx.roles), freeze=True) == []
        assert len(check.dead) == len(ctx.roles) > 1
        assert all(ref() is None for ref in check.dead)
        assert all(k is not None for k in check.kept)


def test_a_scan_in_one_process_leaves_no_dead_cycle_frozen() -> None:
    ctx = _ctx()
    check = _CycleMaker()
    with _no_automatic_collections():
        assert run_checks(ctx, [check], jobs=1, thaw=False).findings == ()
        assert len(check.dead) == len(ctx.roles) > 1
        assert all(ref() is None for ref in check.dead)
