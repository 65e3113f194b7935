"""The concrete-first guesses skip a template whose every admitting trust statement has a condition on its principal
keys alone that its own request fails (``smt.concrete_first._principal_refused``): every guess of such a template is
denied by the evaluator, so skipping them changes no answer. Checked on hypothesis-drawn trust policies of conditions
on aws:PrincipalArn, aws:PrincipalAccount, aws:userid and aws:username mixed with conditions the caller chooses, for
symbolic outsiders of every shape (the strategy of tests/smt/test_principal_gate.py): whenever the test says refused,
the guesses made without it find nothing; and the answers with and without it are equal, witnesses included."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.smt.helpers import NOW_MS, B, allow, root, session, target, user
from tests.smt.test_principal_gate import _grounded_candidates, questions
from trustgraph.semantics.context import build_request
from trustgraph.semantics.request import Action
from trustgraph.smt import concrete_first
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import Sat, Unsat
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import answer


def _refused(template: Any, tgt: Any, action: Action = Action.ASSUME_ROLE) -> bool:
    from trustgraph.model.policy import Effect
    from trustgraph.semantics.principals import statement_principal_match

    trust = tgt.role.trust_policy
    allows = [st for st in trust.statements if st.effect is Effect.ALLOW
              and statement_principal_match(st, template, action) is not None]
    ctx = build_request(template, action, {}, target=tgt, now="2026-11-28T00:00:00Z").context
    return concrete_first._principal_refused(allows, ctx, trust.variables_enabled)


def test_the_users_of_an_account_against_a_role_pattern() -> None:
    ops = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}
    tgt = target(allow(root(B), ops))
    assert _refused(user(B), tgt)
    assert not _refused(session(B, role="ops-x"), tgt)
    # another statement that does not refuse the user lets its guesses be made
    assert not _refused(user(B), target(allow(root(B), ops), allow(root(B), {"StringEquals": {"sts:ExternalId": "x"}})))
    # a condition on a key the caller chooses is no proof
    assert not _refused(user(B), target(allow(root(B), {"StringEquals": {"sts:ExternalId": "x"}})))
    # the user's own name and account
    assert _refused(user(B), target(allow(root(B), {"StringEquals": {"aws:username": "alice"}})))
    assert not _refused(user(B), target(allow(root(B), {"StringEquals": {"aws:username": "bob"},
                                                        "Bool": {"aws:MultiFactorAuthPresent": "true"}})))


def _answers(q: HopQuestion, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    got = answer(q, SolverSession())
    with monkeypatch.context() as m:
        m.setattr(concrete_first, "_principal_refused", lambda *a, **k: False)
        want = answer(q, SolverSession())
    return got, want


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(q=questions())
def test_refused_templates_have_no_allowed_guess(q: HopQuestion, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.smt.facts import FactsTable
    from trustgraph.smt.solve import _guess

    session_ = SolverSession()
    for cand, ground, clock in _grounded_candidates(q):
        if not _refused(cand.template, q.target, q.action):
            continue
        with monkeypatch.context() as m:
            m.setattr(concrete_first, "_principal_refused", lambda *a, **k: False)
            assert _guess(cand, q, dict(ground), clock, session_) is None, (cand.label, q)
    assert isinstance(session_.facts, FactsTable)
    got, want = _answers(q, monkeypatch)
    assert type(got) is type(want), q
    if isinstance(got, Sat):
        assert (got.caller, got.request, got.decision.allowed) == (want.caller, want.request, want.decision.allowed)
    elif isinstance(got, Unsat):
        assert (got.core, got.locations) == (want.core, want.locations), q


def test_a_refused_user_is_answered_by_the_role_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """The account's users are skipped by the guesses; its role sessions are guessed, and the answer (Sat, a role
    session the pattern names) is the one without the skip."""
    from trustgraph.semantics.request import CallerKind
    from trustgraph.smt.symbolic import SymbolicCaller

    tgt = target(allow(root(B), {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}))
    q = HopQuestion(SymbolicCaller(kind=CallerKind.IAM_USER, account=B), tgt, Action.ASSUME_ROLE, (), False,
                    NOW_MS, None, 60_000)
    got, want = _answers(q, monkeypatch)
    assert isinstance(got, Sat) and isinstance(want, Sat)
    assert (got.caller, got.request) == (want.caller, want.request)
