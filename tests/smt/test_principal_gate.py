"""An outsider candidate whose trust policy is decided against it by conditions on its principal keys alone
(``smt.principal_gate.principal_refuted``, switch ``SolverOptions.principal_gate``) is Unsat without the guesses and
the full encoding: the answer equals the one with the switch off, field by field (Sat witnesses, Unsat cores and
locations once explained, the candidates' cores joined in their order), on hypothesis-drawn trust policies of Allow
and Deny statements with conditions on aws:PrincipalArn, aws:PrincipalAccount, aws:userid and aws:username (plain,
IfExists and negated operators, globs, set qualifiers) mixed with conditions on keys the caller chooses, for
symbolic outsiders of every shape (fresh account, named account, named principal), and on generated organizations
(condition-heavy among them, scans included)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import NOW_MS, A, B, allow, deny, root, target, trust_questions
from trustgraph.api import load
from trustgraph.semantics.request import Action, CallerKind
from trustgraph.smt import solve as solve_module
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import KeyConstraint, Sat, Unknown, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer
from trustgraph.smt.symbolic import SymbolicCaller

from .test_renaming import same_analyses

if TYPE_CHECKING:
    from trustgraph.smt.reference import Clock
    from trustgraph.smt.symbolic import Candidate

OFF = SolverOptions().without("principal_gate")

PRINCIPAL_CONDITIONS: list[dict[str, Any]] = [
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:role/*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:user/*"}},
    {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}},
    {"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}},
    {"ForAnyValue:StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/a*", f"arn:aws:iam::{A}:*"]}},
    {"StringEquals": {"aws:PrincipalAccount": B}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringNotEquals": {"aws:PrincipalAccount": B}},
    {"StringEqualsIfExists": {"aws:PrincipalAccount": [A, B]}},
    {"StringLike": {"aws:userid": "AIDA*"}},
    {"StringLike": {"aws:userid": "AROA*:s1"}},
    {"StringEquals": {"aws:username": "bob"}},
    {"Null": {"aws:PrincipalArn": "true"}},
]
FREE_CONDITIONS: list[dict[str, Any]] = [
    {}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"StringEquals": {"sts:ExternalId": "x"}},
    {"StringLikeIfExists": {"aws:RequestTag/project": "proj-*"}}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, root(B), root(A), {"AWS": f"arn:aws:iam::{B}:user/bob"},
                         {"AWS": f"arn:aws:iam::{B}:role/ops-x"}, {"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s1"}]
CALLERS: list[Any] = [
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION),
    SymbolicCaller(kind=CallerKind.IAM_USER, account=B),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{B}:role/ops-x"),
    SymbolicCaller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{B}:user/bob"),
]
CONSTRAINTS: list[tuple[KeyConstraint, ...]] = [
    (), (KeyConstraint("sts:externalid", "absent"),),
    (KeyConstraint("aws:multifactorauthpresent", "equals", ("true",)),),
    (KeyConstraint("aws:principalarn", "equals", (f"arn:aws:iam::{B}:role/ops-x",)),),
]


ACTIONS: list[Any] = ["sts:AssumeRole", "sts:AssumeRole", "sts:*", ["sts:AssumeRole", "sts:TagSession"],
                     "sts:TagSession"]
questions = partial(trust_questions, PRINCIPAL_CONDITIONS, FREE_CONDITIONS, PRINCIPALS, CALLERS, CONSTRAINTS, ACTIONS,
                    deny_one_in=4, timeout_ms=60_000)


HopResult = Sat | Unsat | Unknown


def _same(q: HopQuestion) -> HopResult:
    """The answers with the gate and without it: the same kind, the same Unsat core and locations, a Sat witness of
    the same candidate shape (z3's model of a question its incremental solver decides depends on what the process
    asked z3 before, so the witness's free strings are compared by where they come from, not by their letters);
    and every candidate the gate refutes is Unsat on the reference path."""
    got = answer(q, SolverSession())
    want = answer(q, SolverSession(OFF))
    _refuted_are_unsat(q)
    if isinstance(got, Unknown) or isinstance(want, Unknown):
        return got  # a z3 run out of time (on a loaded machine): the candidates the gate refutes are checked above
    assert type(got) is type(want), (q, got, want)
    if isinstance(got, Sat):
        assert isinstance(want, Sat)
        assert (got.caller.kind, got.caller.mfa, got.decision.allowed) == \
            (want.caller.kind, want.caller.mfa, want.decision.allowed)
    elif isinstance(got, Unsat):
        assert isinstance(want, Unsat)
        assert (got.core, got.locations) == (want.core, want.locations), q
    return got


def _grounded_candidates(q: HopQuestion) -> Iterator[tuple[Candidate, dict[str, tuple[str, ...]], Clock]]:
    """The candidates ``smt.solve`` asks for ``q``'s caller, each with its ground context and the question's clock."""
    from trustgraph.model.values import format_date
    from trustgraph.smt.reference import Clock
    from trustgraph.smt.symbolic import concrete_candidates, symbolic_candidates

    caller = q.caller
    cands = (symbolic_candidates(caller, q.target, q.action) if isinstance(caller, SymbolicCaller)
             else concrete_candidates(caller, q.target))
    clock = Clock(q.now_ms, format_date(q.now_ms or 0))
    for cand in cands:
        yield cand, dict(solve_module._ground_context(cand, q, clock)), clock

def _refuted_are_unsat(q: HopQuestion) -> None:
    """No candidate of ``q`` the gate refutes is Sat when the reference solves it alone (Unsat, or Unknown when z3
    runs out of time)."""
    from trustgraph.smt.principal_gate import principal_refuted
    from trustgraph.smt.reference import encode_and_solve

    for cand, ground, clock in _grounded_candidates(q):
        if principal_refuted(cand, q, dict(ground), clock, True, None):
            session = SolverSession(SolverOptions.reference())
            out = encode_and_solve(cand, q, dict(ground), clock, session.stats, ground_constraints=False,
                                   want_core=False)
            assert not isinstance(out, Sat), (cand.label, q, out)


def _count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    hits = [0]
    real = solve_module.principal_refuted

    def counted(*args: Any, **kwargs: Any) -> bool:
        out = real(*args, **kwargs)
        hits[0] += out
        return out

    monkeypatch.setattr(solve_module, "principal_refuted", counted)
    return hits


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_gate_gives_the_answer_of_the_path_without_it(q: HopQuestion) -> None:
    _same(q)


def test_an_arn_pattern_of_roles_refuses_the_accounts_users(monkeypatch: pytest.MonkeyPatch) -> None:
    """The account's IAM users (the first candidates) are refuted without z3 on the whole hop; its role sessions
    are not, and the answer is the reference's Sat."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"},
                                 "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    users = SymbolicCaller(kind=CallerKind.IAM_USER, account=B, aws_kinds=frozenset({CallerKind.IAM_USER}))
    q = HopQuestion(users, tgt, Action.ASSUME_ROLE, (), False,
                    NOW_MS, timeout_ms=20_000)
    fast = SolverSession()
    out = answer(q, fast)
    assert isinstance(out, Unsat) and not out.core_computed
    assert hits[0] >= 1 and fast.cache_stats()["solver_calls"] == 0
    got = _same(q)
    assert isinstance(got, Unsat) and any("aws:PrincipalArn" in c for c in got.core)
    hits[0] = 0
    sessions = SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=B, aws_kinds=frozenset({CallerKind.ROLE_SESSION}))
    q2 = HopQuestion(sessions, tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000)
    assert isinstance(_same(q2), Sat) and hits[0] == 0


def test_a_deny_the_principal_implies_denies_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """vacuous-condition's question 3 for a condition the principal implies: its Deny "the condition holds" applies
    to every principal of the account the statement names."""
    hits = _count(monkeypatch)
    tgt = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 deny(root(B), {"StringEquals": {"aws:PrincipalAccount": B}}))
    q = HopQuestion(SymbolicCaller(kind=CallerKind.ROLE_SESSION), tgt, Action.ASSUME_ROLE, (), False, NOW_MS,
                    timeout_ms=20_000)
    got = _same(q)
    assert isinstance(got, Unsat) and hits[0] >= 1
    # a Deny on another account's principals does not apply: the reference's Sat
    hits[0] = 0
    other = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                   deny(root(B), {"StringEquals": {"aws:PrincipalAccount": A}}))
    q2 = HopQuestion(SymbolicCaller(kind=CallerKind.ROLE_SESSION), other, Action.ASSUME_ROLE, (), False, NOW_MS,
                     timeout_ms=20_000)
    assert isinstance(_same(q2), Sat) and hits[0] == 0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=questions())
def test_the_members_test_leaves_every_decision_of_the_gate(q: HopQuestion) -> None:
    """``members`` (``SolverOptions.principal_gate_members``) only skips z3 runs that would find a member meeting the
    condition: for every candidate of every drawn question, the gate decides the same with and without it, and asks
    z3 no more small problems (the store of solved conjunctions each call fills holds them)."""
    from trustgraph.smt.cache import SolvedFormulas
    from trustgraph.smt.principal_gate import principal_refuted

    for cand, ground, clock in _grounded_candidates(q):
        with_members, without = SolvedFormulas(), SolvedFormulas()
        fast = principal_refuted(cand, q, dict(ground), clock, True, with_members, members=True)
        slow = principal_refuted(cand, q, dict(ground), clock, True, without, members=False)
        assert fast == slow, (cand.label, q)
        assert len(with_members) <= len(without)


def test_the_members_test_skips_z3_runs() -> None:
    """A session of a named account against a Deny ``ArnLike aws:PrincipalArn ...:role/ops-*`` (the negation holds
    for its template, a session of another role): the gate declines with no small problem for z3; without the test
    it declines after z3 found one."""
    from trustgraph.smt.cache import SolvedFormulas
    from trustgraph.smt.principal_gate import principal_refuted

    tgt = target(allow(root(B), {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                 deny(root(B), {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}))
    q = HopQuestion(SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=B), tgt, Action.ASSUME_ROLE, (), False,
                    NOW_MS, timeout_ms=60_000)
    cand, ground, clock = next(_grounded_candidates(q))
    with_members, without = SolvedFormulas(), SolvedFormulas()
    assert not principal_refuted(cand, q, dict(ground), clock, True, with_members, members=True)
    assert not principal_refuted(cand, q, dict(ground), clock, True, without, members=False)
    assert len(with_members) == 0 and len(without) == 1
    assert isinstance(_same(q), Sat)


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().principal_gate
    assert not SolverOptions.reference().principal_gate_members
    assert SolverOptions().principal_gate


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 2)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)


def test_a_core_is_the_deletion_s_whichever_way_z3_decided_the_hop() -> None:
    """Found by the comparison above: the user candidate's hop is decided by z3's incremental solver (the string
    pattern of two ARN globs defeats the preprocessing solver), whose own unsat core also held the username
    condition; the gate's answer, whose core is computed later by deletion, left it out. Both now give the
    deletion's core: the ARN condition alone refuses a user of a fresh account."""
    tgt = target(allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/a*",
                                                                            f"arn:aws:iam::{A}:*"]},
                             "StringEquals": {"aws:username": "bob"}}))
    caller = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A}),
                            aws_kinds=frozenset({CallerKind.IAM_USER, CallerKind.ROLE_SESSION}))
    q = HopQuestion(caller, tgt, Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=60_000)
    got = _same(q)
    if isinstance(got, Unknown):
        return  # z3 out of time on a loaded machine: nothing to compare (``_same`` checked the refuted candidates)
    assert isinstance(got, Unsat)
    user_core = [c for c in got.core if c.startswith("[user of a fresh account]")]
    assert any("aws:PrincipalArn" in c for c in user_core)
    assert not any("aws:username" in c for c in user_core)
