"""Class keys computed only once a second hop of their part arrives (``EvaluatedClasses.deferred_keys``) against the
reference (every hop's key computed when asked): the same hops asked of the classes in the same order with the same
outcome (answered from a class or not, the answer itself field by field), the same hops evaluated, the same outsider
searches, mixed searches, engine memos, who_can_reach answers and scans; every class filed is one the reference
filed under the same key, and fewer keys are computed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.queries.test_arn_blind_views import _mixed
from tests.queries.test_class_moves import _engine_state, _norm, _searched
from tests.queries.test_eval_classes import _key
from trustgraph.api import TrustGraph
from trustgraph.queries.evalclass import EvaluatedClasses

ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("vendor-heavy", 3), ("federation-heavy", 1),
        ("federation-heavy", 2), ("mix", 1), ("chain-heavy", 3), ("chain-heavy", 4), ("random", 2), ("random", 5)]


@contextmanager
def _logged(switch: bool) -> Iterator[list[Any]]:
    """Every engine made inside with ``deferred_keys`` as given; the log of the classes' questions in order: each
    :meth:`EvaluatedClasses.answer_of_class` with its answer, each :meth:`EvaluatedClasses.decide` with whether it
    evaluated and its answer, each :meth:`EvaluatedClasses.known_sat` with its outcome."""
    log: list[Any] = []
    real_answer, real_decide, real_known = (EvaluatedClasses.answer_of_class, EvaluatedClasses.decide,
                                            EvaluatedClasses.known_sat)

    def answer_of_class(self: EvaluatedClasses, state: Any, caller: Any, target: Any, *rest: Any) -> Any:
        out = real_answer(self, state, caller, target, *rest)
        log.append(("class", state, target.role.arn, rest, None if out is None else _norm(out)))
        return out

    def decide(self: EvaluatedClasses, state: Any, question: Any, evaluate: Callable[[], Any]) -> Any:
        evaluated = []

        def counted() -> Any:
            evaluated.append(True)
            return evaluate()

        out = real_decide(self, state, question, counted)
        log.append(("decide", state, question.target.role.arn, question.action, question.constraints,
                    bool(evaluated), _norm(out)))
        return out

    def known_sat(self: EvaluatedClasses, engine: Any, state: Any, role: str, *rest: Any) -> bool:
        out = real_known(self, engine, state, role, *rest)
        log.append(("known", state, role, out))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(EvaluatedClasses, "deferred_keys", switch)
        mp.setattr(EvaluatedClasses, "answer_of_class", answer_of_class)
        mp.setattr(EvaluatedClasses, "decide", decide)
        mp.setattr(EvaluatedClasses, "known_sat", known_sat)
        yield log


def _filed_within(fast: EvaluatedClasses, slow: EvaluatedClasses) -> None:
    """Every class the deferred keys filed is one the reference filed (its first member's answer and positions; the
    keys' numbers of layouts and views count what was computed, so they differ); the reference may file more (the
    classes of one hop, never asked again), and computes as many layouts and lists or more."""
    assert not slow._firsts
    reference = [(_norm(answer), positions) for answer, positions in slow._known.values()]
    for answer, positions in fast._known.values():
        assert (_norm(answer), positions) in reference
    assert len(fast._known) <= len(slow._known)
    assert len(fast._layouts) <= len(slow._layouts) and len(fast._lists) <= len(slow._lists)


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_deferred_keys_give_the_reference_searches(name: str, seed: int, tmp_path: Path) -> None:
    """Same class questions in the same order with the same outcomes, same outsider and mixed searches, engine memos
    and counters (hops evaluated, answered from a class) with keys deferred as with every key computed."""
    tg = small_org(name, seed, tmp_path)
    with _logged(True) as fast_log:
        fast_tg = twin(tg)
        fast, fast_engine, fast_answered, _ = _searched(fast_tg, True, True)
        fast_mixed = _mixed(fast_tg)
    with _logged(False) as slow_log:
        slow_tg = twin(tg)
        slow, slow_engine, slow_answered, _ = _searched(slow_tg, True, True)
        slow_mixed = _mixed(slow_tg)
    assert fast_log and len(fast_log) == len(slow_log)
    for a, b in zip(fast_log, slow_log, strict=True):
        assert a == b
    assert fast == slow and fast_mixed == slow_mixed and fast_answered == slow_answered
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    _filed_within(fast_engine.evaluated, slow_engine.evaluated)
    if name in ("chain-heavy", "federation-heavy"):
        assert any(entry is not None for entry in fast_engine.evaluated._firsts.values())  # some keys never made


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("vendor-heavy", 1), ("federation-heavy", 2),
                                            ("mix", 1), ("chain-heavy", 3), ("random", 5)])
def test_who_can_reach_equal_with_deferred_keys(name: str, seed: int, tmp_path: Path) -> None:
    """who_can_reach on every role (with and without sts:ExternalId): the same answers, hops and class questions in
    the same order."""
    tg = small_org(name, seed, tmp_path)
    roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")

    def asked(switch: bool) -> tuple[list[Any], list[Any], TrustGraph]:
        with _logged(switch) as log:
            fresh = twin(tg)
            out = [_key(r) for role in roles for kw in ({}, {"without": ["sts:ExternalId"]})
                   for r in fresh.who_can_reach(role, **kw)]
        return out, log, fresh

    fast, fast_log, fast_tg = asked(True)
    slow, slow_log, slow_tg = asked(False)
    assert fast == slow
    assert fast_log == slow_log
    assert _engine_state(fast_tg.engine) == _engine_state(slow_tg.engine)
    _filed_within(fast_tg.engine.evaluated, slow_tg.engine.evaluated)


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("vendor-heavy", 2),
                                            ("federation-heavy", 1), ("chain-heavy", 3), ("random", 2)])
def test_scans_equal_with_every_key_computed(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with keys deferred and computed at once (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (EvaluatedClasses, "deferred_keys"))
