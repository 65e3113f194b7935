"""The session names of the paths nobody reads asked once per step of a search (``queries.answers.SessionSteps``,
the default) against every target's path asked in full (``SessionSteps.once = False``, the reference): a scan gives
the same findings field by field, witnesses included, and leaves the engine with the same memoised, derived and
filed answers, kept leads and counters; the steps the fast path leaves out are only those asked before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries import answers
from trustgraph.queries.answers import SessionSteps

from .test_class_moves import _engine_state


def _scanned(tg: TrustGraph, once: bool, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[list[dict[str, Any]], tuple[Any, ...], list[tuple[Any, ...]]]:
    """The findings of a scan with the switch as given, the engine's state after it, and the steps whose session
    name was asked (parent, landed state, the two hops' targets) in the order asked."""
    asked: list[tuple[Any, ...]] = []
    real = answers.session_agreement

    def recorded(engine: Any, options: Any, parent: Any, landed: Any, prev: Any, cur: Any, extra: Any) -> Any:
        out = real(engine, options, parent, landed, prev, cur, extra)
        if answers._names_session(prev, cur):
            asked.append((parent, landed, prev.target, cur.target, extra))
        return out

    with monkeypatch.context() as mp:
        mp.setattr(SessionSteps, "once", once)
        mp.setattr(answers, "session_agreement", recorded)
        found = [finding_to_plain(f) for f in run_checks(ScanContext(tg), CHECKS).findings]
    return found, _engine_state(tg.engine), asked


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("random", 2), ("random", 3),
                                            ("random", 5), ("vendor-heavy", 1), ("chain-heavy", 3)])
def test_steps_asked_once_equal_every_path_asked(name: str, seed: int, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    tg = small_org(name, seed, tmp_path)
    fast, fast_state, fast_asked = _scanned(twin(tg), True, monkeypatch)
    slow, slow_state, slow_asked = _scanned(twin(tg), False, monkeypatch)
    assert fast and fast == slow
    assert fast_state == slow_state
    # the same steps first asked in the same order (the engine's new questions); a step left out is one asked before
    assert _first_times(fast_asked) == _first_times(slow_asked)
    if (name, seed) == ("random", 2):  # paths whose hops name a session and share their first steps: some left out
        assert slow_asked and len(fast_asked) < len(slow_asked)


def _first_times(steps: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return list(dict.fromkeys(steps))


@pytest.mark.parametrize(("name", "seed"), [("random", 2), ("random", 3), ("random", 5)])
def test_last_steps_asked_alone_equal_every_path_asked(name: str, seed: int, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """external-path-to-admin's federated providers' searches (:func:`~trustgraph.checks.leanfederated.
    federated_index`) ask a path whose last step alone names a session by that step
    (:func:`~trustgraph.queries.answers.ask_last_step`, taken here): the same findings, engine state and first-asked
    steps as every path asked in full."""
    from trustgraph.checks import leanfederated

    calls: list[Any] = []
    real = leanfederated.ask_last_step

    def counted(*args: Any) -> None:
        calls.append(args[2])
        real(*args)

    tg = small_org(name, seed, tmp_path)
    monkeypatch.setattr(leanfederated, "ask_last_step", counted)
    fast, fast_state, fast_asked = _scanned(twin(tg), True, monkeypatch)
    assert calls  # the fast path is taken
    slow, slow_state, slow_asked = _scanned(twin(tg), False, monkeypatch)
    assert fast and fast == slow
    assert fast_state == slow_state
    assert _first_times(fast_asked) == _first_times(slow_asked)
