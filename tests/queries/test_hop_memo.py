"""The engine's hop memos kept nested (``queries.hopmemo.HopMemo``, ``ReachabilityEngine.nested_memos``) against plain
dictionaries (the reference): a memo reads and writes as a dictionary of hop keys; the engine holds the same
memoised, derived and filed answers (field by field) after the same searches, the searches find the same states,
parents, paths and undecided hops, and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from trustgraph.queries.engine import ReachabilityEngine
from trustgraph.queries.hopmemo import HopMemo

from .test_class_moves import _engine_state, _searched


def test_hop_memo_reads_and_writes_as_a_dictionary() -> None:
    memo = HopMemo()
    plain: dict[tuple[Any, ...], Any] = {}
    keys = [(("a", False), "r1", "assume", "o1", ()), (("a", False), "r2", "assume", "o1", ()),
            (("b", True), "r1", "assume", "o1", ()), (("a", False), "r1", "assume", "o2", ("x",)),
            (("a", False), "r1", "tag", "o1", ())]
    assert not memo and len(memo) == 0 and keys[0] not in memo and memo.get(keys[0]) is None
    for n, key in enumerate(keys):
        memo[key] = plain[key] = n
    memo[keys[1]] = plain[keys[1]] = "again"
    assert memo and len(memo) == len(plain) == 5
    assert dict(memo.items()) == plain and set(memo) == set(plain) and sorted(map(str, memo.values())) == sorted(
        map(str, plain.values()))
    for key in keys:
        assert key in memo and memo[key] == plain[key] and memo.get(key) == plain[key]
    missing = (("c", False), "r1", "assume", "o1", ())
    assert missing not in memo and memo.get(missing, "none") == "none"
    with pytest.raises(KeyError):
        memo[missing]
    # one (role, action) tuple per pair, shared by the memos given the same pairs
    other = HopMemo(memo.pairs)
    other[(("z", False), "r1", "assume", True)] = 1
    held = [pair for group in (memo._groups, other._groups) for per_state in group.values()
            for inner in per_state.values() for pair in inner if pair == ("r1", "assume")]
    assert len(held) == 4 and all(p is held[0] for p in held)
    memo.clear()
    assert len(memo) == 0 and keys[0] not in memo


ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("federation-heavy", 2), ("mix", 1), ("chain-heavy", 3),
        ("random", 2), ("random", 5)]


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_nested_memos_equal_plain_dictionaries(name: str, seed: int, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The outsider searches of the reach checks and the engine's memos (memoised, derived and filed answers, kept
    leads, counters) with the memos nested and as plain dictionaries."""
    tg = small_org(name, seed, tmp_path)
    fast, fast_engine, _, _ = _searched(twin(tg), True, True)
    assert isinstance(fast_engine._memo, HopMemo) and len(fast_engine._memo) > 0
    monkeypatch.setattr(ReachabilityEngine, "nested_memos", False)
    slow, slow_engine, _, _ = _searched(twin(tg), True, True)
    assert type(slow_engine._memo) is dict and type(slow_engine._answers) is dict
    assert fast == slow
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    assert len(fast_engine._memo) == len(slow_engine._memo) and len(fast_engine._derived) == len(slow_engine._derived)
    assert sorted(map(repr, fast_engine._answers)) == sorted(map(repr, slow_engine._answers))


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("vendor-heavy", 2), ("federation-heavy", 1),
                                            ("random", 2)])
def test_scans_equal_with_plain_memos(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with the memos nested and plain (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (ReachabilityEngine, "nested_memos"))
