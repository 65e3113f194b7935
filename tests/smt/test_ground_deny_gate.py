"""A candidate that a Deny trust statement naming it applies to whatever the request (every condition folds to True on
the keys the reference grounds) is Unsat without the guesses and the encoding (``smt.trust_gate.ground_denied``,
switch ``SolverOptions.ground_deny_gate``): the answer equals the one with the switch off, field by field (Sat
witnesses, Unsat cores and locations once explained, the candidates' cores joined in their order), on
hypothesis-drawn trust policies whose Deny statements (one in two) mix conditions on fixed principal keys (principal
type, MFA, token issue time, principal tags, organization, account) with IfExists and Null forms and keys the caller
chooses, for concrete and symbolic callers with and without MFA, and on searches and scans of generated
organizations (condition-heavy among them)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import (
    NOW_MS,
    B,
    allow,
    deny,
    gate_hits,
    root,
    same_answer,
    session,
    target,
    trust_questions,
    user,
)
from trustgraph.api import load
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt import solve as solve_module
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

OFF = SolverOptions().without("ground_deny_gate")

FIXED_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
    {"StringEquals": {"aws:PrincipalType": "User"}},
    {"StringNotEquals": {"aws:PrincipalType": "User"}},
    {"Null": {"aws:MultiFactorAuthPresent": "true"}},
    {"Null": {"aws:MultiFactorAuthPresent": "false"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"Null": {"aws:TokenIssueTime": "false"}},
    {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "900"}},
    {"StringEquals": {"aws:PrincipalTag/team": "data"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "web"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}},
    {"StringEquals": {"aws:PrincipalAccount": B}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
]
FREE_CONDITIONS: list[dict[str, Any]] = [
    {}, {}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"StringEquals": {"sts:ExternalId": "x"}},
]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, root(B), {"AWS": f"arn:aws:iam::{B}:user/bob"},
                         {"AWS": f"arn:aws:iam::{B}:role/Ops"}, {"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s1"}]
CALLERS: list[Any] = [
    user(), user(mfa=True), user(tags=(("team", "data"),)), session(), session(mfa=True),
    session(session_name=None, tags=(("team", "web"),)),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=B),
    SymbolicCaller(kind=CallerKind.IAM_USER, account=B),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION),
]
CONSTRAINTS: list[tuple[KeyConstraint, ...]] = [
    (), (), (KeyConstraint("sts:externalid", "absent"),),
    (KeyConstraint("aws:multifactorauthpresent", "equals", ("true",)),),
    (KeyConstraint("aws:principaltype", "absent"),),
]
ACTIONS: list[Any] = ["sts:AssumeRole", "sts:AssumeRole", "sts:*", "sts:TagSession"]
questions = partial(trust_questions, FIXED_CONDITIONS, FREE_CONDITIONS, PRINCIPALS, CALLERS, CONSTRAINTS, ACTIONS,
                    deny_one_in=2, timeout_ms=20_000)

#: the counter of the hypothesis test below (one list for its drawn questions)
_HITS: list[int] = [0]


_same = partial(same_answer, off=OFF)


_count = partial(gate_hits, gate="ground_denied")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_gate_gives_the_answer_of_the_path_without_it(q: HopQuestion) -> None:
    _same(q)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(q=questions())
def test_every_denied_candidate_is_unsat_in_the_reference(q: HopQuestion, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whenever the gate fires on a question, the reference path (every fast path off) answers it Unsat (the counter
    is installed once and reset for each drawn question)."""
    if not isinstance(solve_module.ground_denied, type(_count)) or solve_module.ground_denied.__name__ != "counted":
        _HITS[:] = _count(monkeypatch)
    _HITS[0] = 0
    answer(q, SolverSession())
    hits = _HITS
    if hits[0]:
        assert isinstance(answer(q, SolverSession(SolverOptions.reference())), Unsat), q


def test_vacuous_conditions_third_question_for_a_role_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """vacuous-condition's question 3 on ``StringEquals aws:PrincipalType AssumedRole``: the Deny "the condition
    holds" applies to every request of a role session, so it is Unsat without guesses, encoding or z3, with the
    reference's core once read; a user is not denied by it, and its answer is the reference's Sat."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 deny(root(B), {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}),
                 deny(root(B), {"Null": {"aws:PrincipalType": "true"}}))
    q = HopQuestion(session(), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    fast = SolverSession()
    out = answer(q, fast)
    assert isinstance(out, Unsat) and not out.core_computed
    assert hits[0] == 1
    stats = fast.cache_stats()
    assert stats["guess_evaluations"] == 0 and stats["structure_evaluations"] == 0 and stats["solver_calls"] == 0
    got = _same(q)
    assert isinstance(got, Unsat) and got.locations
    hits[0] = 0
    q2 = HopQuestion(user(), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    assert isinstance(_same(q2), Sat) and hits[0] == 0


def test_a_user_without_mfa_is_denied_by_the_key_absent_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Null aws:MultiFactorAuthPresent true`` holds for every request of a user without MFA (the key is never
    present): Unsat by the gate; the same user with MFA is not denied by it."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"StringEquals": {"sts:ExternalId": "vendor-42"}}),
                 deny(root(B), {"Null": {"aws:MultiFactorAuthPresent": "true"}}))
    assert isinstance(_same(HopQuestion(user(), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)),
                      Unsat)
    assert hits[0] == 1
    hits[0] = 0
    assert isinstance(_same(HopQuestion(user(mfa=True), tgt, Action.ASSUME_ROLE, (), False, NOW_MS,
                                        timeout_ms=20_000)), Sat)
    assert hits[0] == 0


def test_a_deny_with_a_condition_the_caller_chooses_is_left_to_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Deny one of whose conditions reads a key the caller chooses does not apply to every request: no gate."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B)),
                 deny(root(B), {"StringEquals": {"aws:PrincipalType": "AssumedRole", "sts:ExternalId": "vendor-42"}}))
    assert isinstance(_same(HopQuestion(session(), tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)),
                      Sat)
    assert hits[0] == 0


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().ground_deny_gate
    assert SolverOptions().ground_deny_gate


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 2),
                                               ("mix", 1)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
