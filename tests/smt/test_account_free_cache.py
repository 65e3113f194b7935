"""The solver cache answers a role's question from the same question about a role in another account only when that
cannot change the answer (smt.sharing.account_free): the cached answer equals the uncached one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown, Unsat, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies_policy import policy_document  # noqa: E402

A = "555566667777"
B = "888899990000"
NOW = 1_767_225_600_000  # 2026-01-01

# values that can tell accounts apart (partial globs over digits, numbers, the accounts themselves) and ones that
# cannot (globs without digits, other accounts' literals)
ACCOUNT_VALUES = ["*", "5555*", "8888*", "555566667777", "888899990000", "111122223333", "arn:aws:iam::*:root",
                  "arn:aws:iam::5555????7777:*", "arn:aws:iam::*:role/*", "arn:aws:sts::*:assumed-role/*",
                  "?????????????", "????????????", "*7777", "*0000"]
ACCOUNT_KEYS = ["aws:ResourceAccount", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceAccount",
                "aws:SourceArn", "sts:ExternalId"]
OPERATORS = ["StringEquals", "StringLike", "StringNotLike", "StringNotEquals", "ArnLike", "ArnNotLike",
             "NumericLessThan", "NumericGreaterThan", "StringEqualsIfExists", "ForAnyValue:StringLike"]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": f"arn:aws:iam::{A}:root"}, {"AWS": f"arn:aws:iam::{B}:root"},
              {"AWS": "arn:aws:iam::111122223333:root"}, {"Service": "ec2.amazonaws.com"}]


@st.composite
def account_sensitive_trust(draw: st.DrawFn) -> dict[str, Any]:
    statements = []
    for _ in range(draw(st.integers(1, 3))):
        cond: dict[str, dict[str, Any]] = {}
        for _ in range(draw(st.integers(0, 3))):
            cond.setdefault(draw(st.sampled_from(OPERATORS)), {})[draw(st.sampled_from(ACCOUNT_KEYS))] = \
                draw(st.sampled_from(ACCOUNT_VALUES))
        stmt: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
                                "Principal": draw(st.sampled_from(PRINCIPALS)), "Action": "sts:AssumeRole"}
        if cond:
            stmt["Condition"] = cond
        statements.append(stmt)
    return {"Version": "2012-10-17", "Statement": statements}


CALLERS = [
    SymbolicCaller(kind=CallerKind.ROLE_SESSION),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A, B})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, account="111122223333"),
    SymbolicCaller(kind=CallerKind.SERVICE, provider="ec2.amazonaws.com"),
]


def _target(doc: dict[str, Any], account: str) -> Target:
    policy = policy_from_json(doc, Location(f"{account}.json", "/Trust"), kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{account}:role/R", name="R", role_id="AROA" + account, account=account,
                            trust_policy=policy))


def _kind(result: object) -> type:
    return type(result)


def _compare(doc: dict[str, Any], caller: SymbolicCaller) -> None:
    session = SolverSession()
    solve_hop(caller, _target(doc, A), Action.ASSUME_ROLE, now_ms=NOW, session=session)
    cached = solve_hop(caller, _target(doc, B), Action.ASSUME_ROLE, now_ms=NOW, session=session)
    fresh = solve_hop(caller, _target(doc, B), Action.ASSUME_ROLE, now_ms=NOW)
    if isinstance(cached, Unknown) or isinstance(fresh, Unknown):
        return
    assert _kind(cached) is _kind(fresh), (doc, caller, cached, fresh)
    if isinstance(cached, Sat):
        assert cached.request.get("aws:resourceaccount") == (B,)
        assert cached.decision.allowed or cached.approximations  # an approximate witness may not replay
    if isinstance(cached, Unsat):
        assert all(loc.file != f"{A}.json" for loc in cached.locations)


@pytest.mark.parametrize("caller", CALLERS, ids=["any", "both-excluded", "one-excluded", "fixed", "service"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=account_sensitive_trust())
def test_answer_for_another_account_equals_the_uncached_answer(doc: dict[str, Any], caller: SymbolicCaller) -> None:
    _compare(doc, caller)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=policy_document(trust=True))
def test_random_trust_policies_too(doc: dict[str, Any]) -> None:
    _compare(doc, CALLERS[0])


def test_a_blind_policy_is_answered_from_the_other_account() -> None:
    """The cache does serve: a trust policy that names no account and reads none is one entry for both roles."""
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    session = SolverSession()
    caller = CALLERS[4]
    first = solve_hop(caller, _target(doc, A), Action.ASSUME_ROLE, now_ms=NOW, session=session)
    before = session.cache_stats()["hits"]
    second = solve_hop(caller, _target(doc, B), Action.ASSUME_ROLE, now_ms=NOW, session=session)
    assert session.cache_stats()["hits"] == before + 1
    assert isinstance(first, Sat) and isinstance(second, Sat)
    assert second.request.get("aws:resourceaccount") == (B,)


@pytest.mark.parametrize("value", ["5555*", "5555????7777", "*7777"])
def test_a_digit_glob_keeps_the_account_in_the_key(value: str) -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"StringLike": {"aws:ResourceAccount": value}}}]}
    session = SolverSession()
    caller = CALLERS[0]
    assert isinstance(solve_hop(caller, _target(doc, A), Action.ASSUME_ROLE, now_ms=NOW, session=session), Sat)
    before = session.cache_stats()["hits"]
    assert isinstance(solve_hop(caller, _target(doc, B), Action.ASSUME_ROLE, now_ms=NOW, session=session), Unsat)
    assert session.cache_stats()["hits"] == before


@pytest.mark.parametrize("value", ["8888*", "8888????0000", "*0000"])
def test_an_unsat_answer_is_not_reused_for_an_account_a_digit_glob_admits(value: str) -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
         "Condition": {"StringLike": {"aws:ResourceAccount": value}}}]}
    session = SolverSession()
    caller = CALLERS[0]
    assert isinstance(solve_hop(caller, _target(doc, A), Action.ASSUME_ROLE, now_ms=NOW, session=session), Unsat)
    assert isinstance(solve_hop(caller, _target(doc, B), Action.ASSUME_ROLE, now_ms=NOW, session=session), Sat)
