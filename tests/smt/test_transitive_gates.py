"""Two Unsat answers of hops that read sts:TransitiveTagKeys given without the encoding, each equal to the answer
with its switch off (the core and locations once explained):

- ``smt.trust_gate._untagged_transitive`` (switch ``SolverOptions.ground_gate``): a ForAnyValue condition on the
  transitive keys is false when aws:TagKeys is absent, and ForAnyValue:StringEquals [v] when aws:RequestTag/v is
  absent (each transitive key is the key of a tag the same request passes);
- ``smt.trust_gate.within_bits`` (switch ``SolverOptions.trust_gate_deferred``): a candidate no Allow trust statement
  names is Unsat whatever it reads (constraints, conditions).

vacuous-condition asks both kinds ("aws:TagKeys can be omitted", "aws:RequestTag/team can be omitted") of trusts that
require ForAnyValue sts:TransitiveTagKeys [team]."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, A, B, allow, deny, gate_hits, merged, root, same_answer, session, target, user
from trustgraph.semantics.request import Action
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer

TAGGING = ["sts:AssumeRole", "sts:TagSession"]
TEAM = {"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": ["team"]}}
NO_TAGKEYS = (KeyConstraint("aws:TagKeys", "absent"),)
NO_TEAM = (KeyConstraint("aws:RequestTag/team", "absent"),)
NO_COST = (KeyConstraint("aws:RequestTag/cost", "absent"),)


def question(condition: dict[str, Any], constraints: tuple[KeyConstraint, ...], caller: Any = None,
             principal: Any = None) -> HopQuestion:
    tgt = target(allow(principal or root(B), condition, TAGGING))
    return HopQuestion(caller or user(), tgt, Action.ASSUME_ROLE, constraints, False, NOW_MS, timeout_ms=20_000)


@pytest.mark.parametrize(("condition", "constraints", "refuted"), [
    (TEAM, NO_TAGKEYS, True),
    (TEAM, NO_TEAM, True),
    ({"ForAnyValue:StringEqualsIgnoreCase": {"sts:TransitiveTagKeys": ["TEAM"]}}, NO_TEAM, True),
    ({"ForAnyValue:StringLike": {"sts:TransitiveTagKeys": ["te*"]}}, NO_TAGKEYS, True),
    ({"ForAnyValue:StringNotEquals": {"sts:TransitiveTagKeys": ["team"]}}, NO_TAGKEYS, True),
    (TEAM, NO_COST, False),  # another tag absent: team may still be passed (Sat)
    ({"ForAnyValue:StringLike": {"sts:TransitiveTagKeys": ["te*"]}}, NO_TEAM, False),  # a pattern: not this gate
    ({"ForAnyValue:StringEquals": {"sts:TransitiveTagKeys": ["team", "cost"]}}, NO_TEAM, False),  # cost may be
    ({"ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["team"]}}, NO_TAGKEYS, False),  # true when empty
    ({"ForAnyValue:StringEqualsIfExists": {"sts:TransitiveTagKeys": ["team"]}}, NO_TAGKEYS, False),
])
def test_a_transitive_key_needs_its_tag(monkeypatch: pytest.MonkeyPatch, condition: dict[str, Any],
                                        constraints: tuple[KeyConstraint, ...], refuted: bool) -> None:
    hits = gate_hits(monkeypatch, "ground_refuted")
    q = question(condition, constraints)
    got = same_answer(q, SolverOptions().without("ground_gate"))
    assert hits[0] == int(refuted)
    if refuted:
        assert isinstance(got, Unsat)


def test_an_unnamed_candidate_is_unsat_without_the_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trust names account A only: the user of B is no candidate any statement names, with a constraint and
    conditions to read, so neither the trust gate's own evaluation nor the encoding is needed."""
    from trustgraph.smt import solve as solve_module

    encoded = [0]
    real = solve_module.encode_and_solve

    def counted(*args: Any, **kw: Any) -> Any:
        encoded[0] += 1
        return real(*args, **kw)

    monkeypatch.setattr(solve_module, "encode_and_solve", counted)
    q = question(TEAM, NO_TAGKEYS, caller=user(), principal=root(A))
    got = same_answer(q, SolverOptions().without("trust_gate_deferred"))  # the core explained: the reference's
    assert isinstance(got, Unsat) and got.core
    encoded[0] = 0
    assert isinstance(answer(q, SolverSession()), Unsat)
    assert encoded[0] == 0
    assert isinstance(answer(q, SolverSession(SolverOptions().without("trust_gate_deferred"))), Unsat)
    assert encoded[0] == 1


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().trust_gate_deferred


CONDITIONS: list[dict[str, Any]] = [
    TEAM,
    {"ForAnyValue:StringEqualsIgnoreCase": {"sts:TransitiveTagKeys": ["Team", "cost"]}},
    {"ForAnyValue:StringLike": {"sts:TransitiveTagKeys": ["c*"]}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]}},
    {"Null": {"sts:TransitiveTagKeys": "false"}},
    {"StringEquals": {"aws:RequestTag/team": "blue"}},
]
CONSTRAINTS = [(), NO_TAGKEYS, NO_TEAM, NO_COST, NO_TEAM + NO_COST]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3), st.sampled_from(CONSTRAINTS),
       st.sampled_from([root(A), root(B)]), st.sampled_from([user(), session()]), st.booleans())
def test_the_gates_give_the_answers_without_them(conditions: list[dict[str, Any]],
                                                 constraints: tuple[KeyConstraint, ...], principal: Any, caller: Any,
                                                 with_deny: bool) -> None:
    statements = [allow(principal, merged(*conditions), TAGGING)]
    if with_deny:
        statements.append(deny(root(B), {"Null": {"sts:TransitiveTagKeys": "true"}}))
    q = HopQuestion(caller, target(*statements), Action.ASSUME_ROLE, constraints, False, NOW_MS, timeout_ms=20_000)
    got = same_answer(q, SolverOptions().without("ground_gate", "trust_gate_deferred"))
    if principal == root(A):
        assert not isinstance(got, Sat)
