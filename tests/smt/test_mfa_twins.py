"""Candidates with MFA are skipped only when nothing in the hop reads an MFA key: the answers are the same as when
every candidate is asked (smt.mfa_twins.reads_mfa)."""

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
from trustgraph.smt.facts import FactsTable
from trustgraph.smt.mfa_twins import reads_mfa
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import KeyConstraint, Unknown, solve_hop
from trustgraph.smt.symbolic import SymbolicCaller, symbolic_candidates

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies_policy import policy_document  # noqa: E402

NOW = 1_767_225_600_000
CALLER = SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset({"111122223333"}))


def _target(doc: dict[str, Any]) -> Target:
    policy = policy_from_json(doc, MEMORY, kind="trust")
    return Target(role=Role(arn="arn:aws:iam::111122223333:role/R", name="R", role_id="AROAEXAMPLE",
                            account="111122223333", trust_policy=policy))


def _answer(doc: dict[str, Any], constraints: tuple[KeyConstraint, ...], *, skip: bool,
            monkeypatch: pytest.MonkeyPatch) -> object:
    options = SolverOptions() if skip else SolverOptions(mfa_twins=False)
    return solve_hop(CALLER, _target(doc), Action.ASSUME_ROLE, constraints=constraints, now_ms=NOW,
                     session=SolverSession(options))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(doc=policy_document(trust=True), absent=st.booleans())
def test_skipping_mfa_twins_changes_no_answer(doc: dict[str, Any], absent: bool,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    constraints = (KeyConstraint("sts:ExternalId", "absent"),) if absent else ()
    fast = _answer(doc, constraints, skip=True, monkeypatch=monkeypatch)
    slow = _answer(doc, constraints, skip=False, monkeypatch=monkeypatch)
    if not isinstance(fast, Unknown) and not isinstance(slow, Unknown):
        assert type(fast) is type(slow)


@pytest.mark.parametrize(("condition", "reads"), [
    ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, True),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, True),
    ({"StringEquals": {"sts:ExternalId": "${aws:MultiFactorAuthPresent}"}}, True),
    ({"StringEquals": {"sts:ExternalId": "x"}}, False),
    (None, False),
])
def test_what_reads_mfa(condition: dict[str, Any] | None, reads: bool) -> None:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    if condition:
        stmt["Condition"] = condition
    target = _target({"Version": "2012-10-17", "Statement": [stmt]})
    candidates = symbolic_candidates(CALLER, target, Action.ASSUME_ROLE)
    assert any(c.template.mfa for c in candidates)
    assert reads_mfa(target, (), candidates, FactsTable()) is reads
    assert reads_mfa(target, (KeyConstraint("aws:MultiFactorAuthPresent", "not-like", ("true",)),),
                                   candidates, FactsTable()) is True


def test_an_mfa_requirement_is_still_met_by_a_candidate_with_mfa() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                   "Action": "sts:AssumeRole",
                                                   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    answer = solve_hop(CALLER, _target(doc), Action.ASSUME_ROLE, now_ms=NOW)
    assert answer.request.get("aws:multifactorauthpresent") == ("true",)  # type: ignore[union-attr]
