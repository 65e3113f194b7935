"""gc_paused: the collector is off inside, restored on exit (also on errors and when it was off), and what the
block created stays collectable. built_frozen: off inside, what the block built frozen after, and handed back by
gc.unfreeze."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from trustgraph.model.bulk import gc_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_disabled_inside_and_enabled_after() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner block does not re-enable
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("bad input")
    assert gc.isenabled()


def test_left_disabled_when_it_was_disabled() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_cycles_made_inside_are_still_collected() -> None:
    gc.enable()
    with gc_paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
    assert ref() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert ref() is None
    assert gc.get_freeze_count() == 0  # nothing left in the permanent generation


def test_loaded_objects_are_frozen_only_during_the_checks() -> None:
    from trustgraph.model.bulk import loaded_objects_frozen

    before = gc.get_freeze_count()
    kept = [object() for _ in range(10)]
    with loaded_objects_frozen():
        assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_freeze_count() == 0


def test_built_frozen_freezes_what_the_block_built() -> None:
    from trustgraph.model.bulk import built_frozen

    gc.enable()
    assert gc.get_freeze_count() == 0
    with built_frozen():
        assert not gc.isenabled()
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.collect()
    assert ref() is not None  # frozen: out of the collector's walks
    gc.unfreeze()
    gc.collect()
    assert ref() is None  # handed back: collected


def test_built_frozen_restores_the_collector_on_errors() -> None:
    from trustgraph.model.bulk import built_frozen

    gc.enable()
    with pytest.raises(ValueError), built_frozen():
        raise ValueError("bad input")
    assert gc.isenabled()
    gc.unfreeze()
    gc.disable()
    with built_frozen():
        pass
    assert not gc.isenabled()
    gc.unfreeze()


def test_without_hand_over_the_collector_is_not_asked_and_nothing_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """``gc_paused(hand_over=False)``, for a block run while objects are frozen: off inside, restored after, and the
    generations left as they were, without ``gc.get_freeze_count`` (which walks every frozen object)."""
    from trustgraph.model.bulk import loaded_objects_frozen

    gc.enable()
    kept = [_Node() for _ in range(10)]
    with loaded_objects_frozen():
        frozen = gc.get_freeze_count()

        def refused() -> int:
            raise AssertionError("gc.get_freeze_count asked")

        with monkeypatch.context() as m:
            m.setattr(gc, "get_freeze_count", refused)
            with gc_paused(hand_over=False):
                assert not gc.isenabled()
                made = [_Node() for _ in range(10)]
            assert gc.isenabled()
        assert gc.get_freeze_count() == frozen  # nothing frozen nor handed over by the block
        assert all(gc.is_tracked(n) for n in made)
    assert gc.get_freeze_count() == 0 and len(kept) == 10


def test_inside_frozen_objects_hand_over_changes_nothing() -> None:
    """While objects are frozen, the default block hands nothing over either: ``hand_over=False`` only skips the
    question, the generations end the same."""
    from trustgraph.model.bulk import loaded_objects_frozen

    gc.enable()
    counts = []
    for hand_over in (True, False):
        with loaded_objects_frozen():
            frozen = gc.get_freeze_count()
            with gc_paused(hand_over=hand_over):
                made = [_Node() for _ in range(1000)]
            counts.append(gc.get_freeze_count() - frozen)
            del made
    assert counts == [0, 0]
