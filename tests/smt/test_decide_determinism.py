"""A z3 answer is a function of the question alone: the same assertions get the same model whatever was asked before
(``smt.decide.fresh_context``).

z3 numbers the terms of a context as they are made and orders its case splits and model values by those numbers; in a
context shared by every question the numbers depend on what earlier questions made and on when the collector freed
their terms, so an underconstrained question got another model after other questions had been asked (a scan's
witnesses then changed with ``--jobs``, the roles' order and gc thresholds: ``tests/checks/test_determinism.py``).
"""

from __future__ import annotations

import gc
import itertools
from typing import Any

import z3  # type: ignore[import-untyped]

from trustgraph.smt.decide import check_tracked, core_by_deletion, fresh_context


def _question() -> list[tuple[str, Any]]:
    """Assertions with many models: which one z3 picks is up to its search order."""
    x, y = z3.Strings("x y")
    p, q, r = z3.Bools("p q r")
    n = z3.Int("n")
    return [("a", z3.Or(x == z3.StringVal("alpha"), x == z3.StringVal("beta"), z3.Length(x) > 7)),
            ("b", z3.Or(p, q, r)),
            ("c", z3.Or(y == x, z3.PrefixOf(z3.StringVal("zz"), y))),
            ("d", z3.Or(n > 3, n < -2))]


def _model_of(assertions: list[tuple[str, Any]], **kwargs: Any) -> list[tuple[str, str]]:
    res, model, _, _ = check_tracked(assertions, 5_000, **kwargs)
    assert res == z3.sat
    return sorted((d.name(), str(model[d])) for d in model.decls())


def test_the_same_question_gets_the_same_model_after_other_questions() -> None:
    """Before, the first permutation asked in between already changed x from "alpha" to "beta"."""
    first = _model_of(_question())
    kept = []
    for perm in itertools.islice(itertools.permutations(_question()), 6):
        kept.append(check_tracked(list(perm), 5_000))  # the same terms, alive, in other orders
        kept.append(check_tracked([("z", z3.Not(z3.Bool("p"))), ("w", z3.String("x") == z3.StringVal("beta"))],
                                  5_000))
        assert _model_of(_question()) == first
        assert _model_of(_question(), strings=True) == first


def test_the_model_does_not_depend_on_the_collector() -> None:
    first = _model_of(_question())
    old = gc.get_threshold()
    try:
        for threshold in (1, 50, 5_000):
            gc.set_threshold(threshold)
            junk = [check_tracked(_question()[i:], 5_000) for i in range(4)]
            del junk
            gc.collect()
            assert _model_of(_question()) == first
    finally:
        gc.set_threshold(*old)


def test_models_come_back_in_the_main_context() -> None:
    """The decoder evaluates the question's own terms (made in z3's main context) in the model."""
    assertions = _question()
    _, model, _, _ = check_tracked(assertions, 5_000)
    assert model.ctx == z3.main_ctx()
    assert z3.is_true(model.eval(assertions[1][1], model_completion=True))


def test_unsat_cores_are_the_same_whatever_came_before() -> None:
    x = z3.String("x")
    n = z3.Int("n")
    unsat = [("a", x == z3.StringVal("alpha")), ("b", n > 3), ("c", z3.Length(x) > 9), ("d", n < 5),
             ("e", z3.PrefixOf(z3.StringVal("zz"), x))]
    res, _, core, _ = check_tracked(unsat, 5_000, core=True)
    assert res == z3.unsat and core is not None
    check_tracked(_question(), 5_000)
    assert check_tracked(unsat, 5_000, core=True)[2] == core
    assert core_by_deletion(unsat, 5_000) == core == core_by_deletion(unsat, 5_000, strings=True)


def test_a_fresh_context_is_new_each_time() -> None:
    assert fresh_context() is not fresh_context()
    assert fresh_context() is not z3.main_ctx()


_PROBE = """
import sys, z3
import trustgraph.smt.decide as decide
decide.keep_heap = sys.argv[1] == "on"
from tests.smt.test_decide_determinism import _model_of, _question
x, n = z3.String("x"), z3.Int("n")
unsat = [("a", x == z3.StringVal("alpha")), ("b", n > 3), ("c", z3.Length(x) > 9), ("d", n < 5)]
junk = [z3.Context() for _ in range(3)]  # contexts made and dropped first, as in a scan
del junk
print(_model_of(_question()), _model_of(_question(), strings=True), decide.check_tracked(unsat, 5_000, core=True)[2],
      decide._heap_kept)
"""


def test_keeping_the_heap_changes_no_model_and_no_core() -> None:
    """The malloc thresholds ``fresh_context`` fixes (``smt.decide._keep_heap``) change where z3's memory comes from,
    not what it answers: the same models and cores with and without, each in a process of its own."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = {mode: subprocess.run([sys.executable, "-c", _PROBE, mode], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip() for mode in ("on", "off")}
    on, off = out["on"], out["off"]
    assert on.rsplit(" ", 1)[0] == off.rsplit(" ", 1)[0]
    assert off.endswith("False")
    if sys.platform.startswith("linux"):
        assert on.endswith("True")
