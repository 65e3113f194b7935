"""The principal gate's small problems shared between accounts (``smt.principal_gate.renamed_key``, switch
``SolverOptions.principal_gate_renamed``): the gate decides every candidate of hypothesis-drawn questions the same
with a store of renamed answers shared across the candidates (and across questions) as without it; the problem of
the condition-heavy shape (``ArnLike aws:PrincipalArn arn:aws:iam::*:role/ops-*`` against each account's users) is
decided by z3 once for two accounts; no form is made where the argument does not hold (a glob with a digit, the
account in the condition, a policy variable); an undecided z3 run is never kept, nor read as "never"; and analyses of
generated organizations are the same with the switch on and off, field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import NOW_MS, A, B, allow, root, target
from trustgraph.api import load
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt.cache import SolvedFormulas
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.principal_gate import principal_refuted
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.symbolic import SymbolicCaller

from .test_principal_gate import _grounded_candidates, questions
from .test_renaming import same_analyses

OFF = SolverOptions().without("principal_gate_renamed")
C = "333333333333"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_renamed_store_leaves_every_decision_of_the_gate(q: HopQuestion) -> None:
    """With the store shared by every candidate of the question (named accounts and the fresh one), each decision is
    the one made without it (members off, so every small problem reaches the store or z3)."""
    renamed: dict[Any, bool] = {}
    for cand, ground, clock in _grounded_candidates(q):
        fast = principal_refuted(cand, q, dict(ground), clock, True, SolvedFormulas(), renamed=renamed)
        slow = principal_refuted(cand, q, dict(ground), clock, True, SolvedFormulas())
        assert fast == slow, (cand.label, q)


def _users(account: str, condition: dict[str, Any]) -> HopQuestion:
    tgt = target(allow({"AWS": [root(B)["AWS"], root(C)["AWS"]]}, condition), account=A)
    caller = SymbolicCaller(kind=CallerKind.IAM_USER, account=account, aws_kinds=frozenset({CallerKind.IAM_USER}))
    return HopQuestion(caller, tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)


def _decide(q: HopQuestion, renamed: dict[Any, bool], solved: SolvedFormulas) -> list[bool]:
    return [principal_refuted(cand, q, dict(ground), clock, True, solved, renamed=renamed)
            for cand, ground, clock in _grounded_candidates(q)]


def test_one_z3_run_for_the_users_of_two_accounts() -> None:
    """The users of B and of C against ``...:role/ops-*``: refuted both, z3 asked once (the store of solved
    conjunctions, which holds each problem z3 decided, has one entry), the store one form."""
    renamed: dict[Any, bool] = {}
    solved = SolvedFormulas()
    cond = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}
    assert _decide(_users(B, cond), renamed, solved) == [True, True]  # without and with MFA
    assert _decide(_users(C, cond), renamed, solved) == [True, True]
    assert len(renamed) == 1 and len(solved) == 1
    # without the store: one z3 problem per account
    alone = SolvedFormulas()
    for account in (B, C):
        assert all(principal_refuted(cand, q, dict(g), clk, True, alone)
                   for q in [_users(account, cond)] for cand, g, clk in _grounded_candidates(q))
    assert len(alone) == 2


@pytest.mark.parametrize("condition", [
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::2*:user/*"}},  # a glob with a digit: tells B from C
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:*"}},  # names B
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}},  # a policy variable
])
def test_no_form_where_the_argument_does_not_hold(condition: dict[str, Any]) -> None:
    renamed: dict[Any, bool] = {}
    for account in (B, C):
        q = _users(account, condition)
        for cand, ground, clock in _grounded_candidates(q):
            assert principal_refuted(cand, q, dict(ground), clock, True, None, renamed=renamed) == \
                principal_refuted(cand, q, dict(ground), clock, True, None)
    assert renamed == {}


def test_the_digit_glob_differs_between_accounts() -> None:
    """Why a glob with a digit is not shared: ``...::2*:user/*`` admits B's users and refuses C's."""
    cond = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::2*:user/*"}}
    assert _decide(_users(B, cond), {}, SolvedFormulas()) == [False, False]
    assert _decide(_users(C, cond), {}, SolvedFormulas()) == [True, True]


def test_an_undecided_run_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """z3 out of budget: the gate declines (never "never") and the store stays empty, so the next account asks z3."""
    from trustgraph.smt import decide
    from trustgraph.smt.z3lazy import z3

    calls = [0]

    def undecided(*args: Any, **kwargs: Any) -> tuple[Any, Any, Any, str]:
        calls[0] += 1
        return z3.unknown, None, None, "timeout"

    monkeypatch.setattr(decide, "check_tracked", undecided)
    renamed: dict[Any, bool] = {}
    cond = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}
    assert _decide(_users(B, cond), renamed, SolvedFormulas()) == [False, False]
    assert _decide(_users(C, cond), renamed, SolvedFormulas()) == [False, False]
    assert renamed == {} and calls[0] == 4


def test_reference_options_switch_it_off() -> None:
    assert SolverOptions().principal_gate_renamed and not SolverOptions.reference().principal_gate_renamed


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 2)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)
