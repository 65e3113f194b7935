"""The session's memo of a symbolic caller's candidates (smt.session.CandidateMemo) gives the candidates made
afresh, keys on everything they are made of, and changes no answer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import MEMORY
from trustgraph.semantics.request import Action, CallerKind, Target
from trustgraph.smt import session as session_module
from trustgraph.smt.results import KeyConstraint, Sat
from trustgraph.smt.session import CandidateMemo, SolverSession
from trustgraph.smt.solve import solve_hop
from trustgraph.smt.symbolic import Candidate, SymbolicCaller, symbolic_candidates

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies_policy import policy_document  # noqa: E402

NOW = 1_767_225_600_000
A, B, C = "111122223333", "444455556666", "777788889999"
CALLERS = (
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({A})),
    SymbolicCaller(kind=CallerKind.IAM_USER, excluded_accounts=frozenset({A, B})),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, account=B),
    SymbolicCaller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{B}:role/ops"),
    SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider="token.actions.githubusercontent.com"),
)


def _target(doc: dict[str, Any], account: str = A, name: str = "R") -> Target:
    policy = policy_from_json(doc, MEMORY, kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{account}:role/{name}", name=name, role_id="AROAEXAMPLE",
                            account=account, trust_policy=policy))


def _trust(principal: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


def _shape(cands: list[Candidate]) -> list[tuple[Any, ...]]:
    """What a candidate is, but its closures (compared by what they answer in the other tests)."""
    return [(c.label, c.template, c.symbolic, c.provider_host, c.slot_bounds, c.excluded_orgs) for c in cands]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(policy_document(trust=True), min_size=1, max_size=3),
       accounts=st.lists(st.sampled_from((A, B, C)), min_size=3, max_size=3),
       callers=st.lists(st.sampled_from(CALLERS), min_size=1, max_size=4))
def test_memo_gives_the_candidates_made_afresh(docs: list[dict[str, Any]], accounts: list[str],
                                               callers: list[SymbolicCaller]) -> None:
    memo = CandidateMemo()
    for _ in range(2):  # the second round is answered from the memo
        for doc, account in zip(docs, accounts, strict=False):
            target = _target(doc, account)
            for caller in callers:
                for action in (Action.ASSUME_ROLE, Action.ASSUME_ROLE_WITH_WEB_IDENTITY):
                    assert _shape(memo(caller, target, action)) == _shape(symbolic_candidates(caller, target, action))


def test_memo_keys_on_the_principals_account_and_partition() -> None:
    memo = CandidateMemo()
    caller = CALLERS[0]
    asked = [_target(_trust({"AWS": f"arn:aws:iam::{B}:root"})), _target(_trust({"AWS": f"arn:aws:iam::{C}:root"})),
             _target(_trust({"AWS": f"arn:aws:iam::{B}:root"}), account=C)]
    shapes = [_shape(memo(caller, t, Action.ASSUME_ROLE)) for t in asked]
    assert shapes == [_shape(symbolic_candidates(caller, t, Action.ASSUME_ROLE)) for t in asked]
    assert shapes[0] != shapes[1] and shapes[0] != shapes[2] and len(memo) == 3


def test_memo_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "MAX_CANDIDATE_SHAPES", 2)
    memo = CandidateMemo()
    for account in (A, B, C):
        memo(CALLERS[0], _target(_trust({"AWS": f"arn:aws:iam::{account}:root"})), Action.ASSUME_ROLE)
    assert len(memo) == 1


def _plain(answer: object) -> tuple[Any, ...]:
    if isinstance(answer, Sat):
        return ("sat", answer.caller, dict(answer.request.context), answer.approximations)
    return (type(answer).__name__,)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(policy_document(trust=True), min_size=2, max_size=3), absent=st.booleans())
def test_answers_alike_with_and_without_the_memo(docs: list[dict[str, Any]], absent: bool) -> None:
    """The same questions in turn in one session (the memo answering the repeated shapes), and in another whose memo
    is bypassed (every list made afresh): the same answers, witnesses included."""
    constraints = (KeyConstraint("sts:ExternalId", "absent"),) if absent else ()
    questions = [(caller, _target(doc, name=f"R{i}")) for i, doc in enumerate(docs) for caller in CALLERS[:3]] * 2
    answers = []
    for memo in (True, False):
        session = SolverSession()
        if not memo:
            session.candidates = symbolic_candidates  # type: ignore[assignment]
        answers.append([_plain(solve_hop(c, t, Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW,
                                         session=session)) for c, t in questions])
    assert answers[0] == answers[1]
