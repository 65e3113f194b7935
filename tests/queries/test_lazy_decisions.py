"""Carried-over answers whose decision is made when first read (``EvaluatedClasses.lazy_decisions``,
``queries.lazydecision.CarriedSat``) against the reference (made at once): before any decision is read, the engine holds
the same answers hop by hop (callers, requests, approximations the same objects where the reference shares them),
and read, each decision equals the reference's field by field and cites the caller's own statements; the answers
compare, print and pickle as plain Sat answers; the searches and a scan are the same."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.queries.test_class_moves import _engine_state, _searched
from trustgraph.api import TrustGraph
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.lazydecision import CarriedSat, decision_statements
from trustgraph.smt.results import Sat

ORGS = [("example", 0), ("vendor-heavy", 1), ("federation-heavy", 1), ("mix", 1), ("chain-heavy", 3), ("random", 5),
        ("vendor-heavy-8x50", 2), ("federation-heavy-8x50", 1)]


def _org(name: str, seed: int, tmp_path: Path) -> TrustGraph:
    """:func:`small_org`, or a synth profile at 8 accounts x 50 roles for ``PROFILE-8x50`` (the small ones share
    nearly every decision: few answers are carried over lazily there)."""
    if not name.endswith("-8x50"):
        return small_org(name, seed, tmp_path)
    from trustgraph.api import load
    from trustgraph.synth import synthesize

    folder = tmp_path / f"{name}-{seed}"
    synthesize(folder, accounts=8, roles_per_account=50, seed=seed, profile=name.removesuffix("-8x50"))
    return load(folder)


def _lazy(tg: TrustGraph, lazy: bool) -> TrustGraph:
    tg.engine.evaluated.lazy_decisions = lazy
    return tg


def _unread(answer: Any) -> bool:
    """Whether a carried-over answer's decision is still to be made (its slot empty)."""
    try:
        Sat.__dict__["decision"].__get__(answer, Sat)
    except AttributeError:
        return True
    return False


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_lazy_decisions_equal_the_made_ones(name: str, seed: int, tmp_path: Path) -> None:
    tg = _org(name, seed, tmp_path)
    fast, fast_engine, _, _ = _searched(_lazy(twin(tg), True), True, True)
    slow, slow_engine, _, _ = _searched(_lazy(twin(tg), False), True, True)
    lazy = [(k, v) for k, v in fast_engine._memo.items() if isinstance(v, CarriedSat)]
    assert not any(isinstance(v, CarriedSat) for v in slow_engine._memo.values())
    if name == "vendor-heavy-8x50":
        assert lazy
    reference = dict(slow_engine._memo.items())
    for key, answer in lazy:
        made = reference[key]
        assert type(made) is Sat
        assert (answer.caller, answer.request, answer.approximations) == (made.caller, made.request,
                                                                          made.approximations)
        assert answer.request is made.request or answer.request == made.request
        decision = answer.decision  # made now
        assert not _unread(answer) and answer.decision is decision
        assert decision == made.decision
        assert all(a is b for a, b in zip(decision.statements, made.decision.statements, strict=True))
        assert answer == made and made == answer and repr(answer) == repr(made)
        for twin_answer in (pickle.loads(pickle.dumps(answer)), copy.copy(answer), copy.deepcopy(answer)):
            assert type(twin_answer) is Sat and twin_answer == made
    assert fast == slow
    assert _engine_state(fast_engine) == _engine_state(slow_engine)


def test_unread_answer_pickles_with_its_decision(tmp_path: Path) -> None:
    """An answer's statements read before its decision is made are the decision's (the same objects), and the
    decision is still not made; pickled, the answer takes the decision along (made then)."""
    tg = _org("vendor-heavy-8x50", 2, tmp_path)
    _, engine, _, _ = _searched(_lazy(tg, True), True, True)
    read = next(v for v in engine._memo.values() if isinstance(v, CarriedSat))
    answer = CarriedSat(read.caller, read.request, read._class_entry, read._lists)  # as the engine made it
    assert _unread(answer)
    statements = decision_statements(answer)  # found without making the decision
    assert _unread(answer)
    assert all(a is b for a, b in zip(statements, read.decision.statements, strict=True))
    assert len(statements) == len(read.decision.statements)
    assert decision_statements(read) is read.decision.statements
    back = pickle.loads(pickle.dumps(answer))
    assert type(back) is Sat and back.decision == answer.decision and back == answer


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("vendor-heavy", 2), ("federation-heavy", 1),
                                            ("random", 5), ("vendor-heavy-8x50", 2)])
def test_scans_equal_with_decisions_made_at_once(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with lazy decisions on and off (fresh engines)."""
    same_scans(f"{name} seed {seed}", _org(name, seed, tmp_path), (EvaluatedClasses, "lazy_decisions"))
