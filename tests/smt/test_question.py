"""The hop question as a value and the dispatcher against the reference path on hand-picked questions."""

from __future__ import annotations

import pytest

from tests.smt.helpers import NOW_MS, B, allow, root, target, user
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown, Unsat
from trustgraph.smt.solve import answer, reference_answer
from trustgraph.smt.symbolic import SymbolicCaller

OUTSIDER_B = SymbolicCaller(kind=CallerKind.IAM_USER, account=B)


def test_a_question_is_a_hashable_value_whose_timeout_is_not_part_of_it() -> None:
    t = target(allow(root(B)))
    a = HopQuestion(OUTSIDER_B, t, Action.ASSUME_ROLE, [KeyConstraint("sts:ExternalId", "absent")], now_ms=NOW_MS,
                    timeout_ms=10)
    b = HopQuestion(OUTSIDER_B, t, Action.ASSUME_ROLE, (KeyConstraint("sts:ExternalId", "absent"),), now_ms=NOW_MS)
    assert a.constraints == b.constraints and isinstance(a.constraints, tuple)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.timeout == 10 and b.timeout > 10
    c = b.constrained(KeyConstraint("aws:MultiFactorAuthPresent", "absent"))
    assert c != b and c.constraints[:1] == b.constraints and len(c.constraints) == 2


def test_reference_options_turn_every_switch_off() -> None:
    ref = SolverOptions.reference()
    assert ref.is_reference and not SolverOptions().is_reference
    assert not SolverOptions().without("cache", "concrete_first").cache
    assert SolverOptions().without("cache").concrete_first


@pytest.mark.parametrize("condition, expected", [
    (None, Sat),
    ({"StringEquals": {"sts:ExternalId": "12345"}}, Sat),
    ({"StringEquals": {"aws:PrincipalAccount": "999999999999"}}, Unsat),
])
def test_dispatcher_agrees_with_the_reference(condition: dict[str, object] | None, expected: type) -> None:
    t = target(allow(root(B), condition))
    for caller in (OUTSIDER_B, user(B)):
        q = HopQuestion(caller, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
        fast, ref = answer(q, SolverOptions(cache=False)), reference_answer(q)
        assert isinstance(fast, expected) and isinstance(ref, expected)
        assert not fast.approximate and not ref.approximate


def test_injected_unknown_reaches_the_reference_path() -> None:
    t = target(allow(root(B), {"StringLike": {"sts:ExternalId": "ab*"}}))
    q = HopQuestion(OUTSIDER_B, t, Action.ASSUME_ROLE, now_ms=NOW_MS)
    out = answer(q, SolverOptions(cache=False, inject_unknown="timeout (injected)"))
    assert isinstance(out, Unknown) and "timeout (injected)" in out.reason
    assert isinstance(answer(q, SolverOptions(cache=False)), Sat)
