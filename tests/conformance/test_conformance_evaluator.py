"""Every case of the §7 conformance table, decided by the concrete evaluator."""

from __future__ import annotations

import pytest

from tests.conformance.table import CASES, ROWS, Case, build_caller, build_request, build_target
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.semantics.request import Verdict


def test_table_covers_all_rows() -> None:
    assert ROWS >= frozenset(range(1, 70))


def test_rows_from_66_to_69_cite_their_aws_page() -> None:
    assert all(c.source for c in CASES if 66 <= c.row <= 69)


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_evaluator_decides_as_the_table_says(case: Case) -> None:
    decision = evaluate_hop(build_caller(case), build_target(case), build_request(case))
    assert decision.verdict is case.expected, (case.description, decision)
    if case.approximate:
        assert decision.approximations, "the row rests on an [?] claim: the decision must be marked approximate"
    else:
        assert not decision.approximations, decision.approximations


@pytest.mark.parametrize("case", [c for c in CASES if c.expected is Verdict.EXPLICIT_DENY],
                         ids=[c.id for c in CASES if c.expected is Verdict.EXPLICIT_DENY])
def test_explicit_denies_name_their_statements(case: Case) -> None:
    decision = evaluate_hop(build_caller(case), build_target(case), build_request(case))
    assert decision.statements
    assert all(st.effect.value == "Deny" for st in decision.statements)
    assert all(str(st.location).startswith(f"conformance/{case.id}/") for st in decision.statements)


@pytest.mark.parametrize("case", [c for c in CASES if c.expected is Verdict.IMPLICIT_DENY],
                         ids=[c.id for c in CASES if c.expected is Verdict.IMPLICIT_DENY])
def test_implicit_denies_give_reasons(case: Case) -> None:
    decision = evaluate_hop(build_caller(case), build_target(case), build_request(case))
    assert decision.reasons and not decision.statements


@pytest.mark.parametrize("case", [c for c in CASES if c.expected is Verdict.ALLOW],
                         ids=[c.id for c in CASES if c.expected is Verdict.ALLOW])
def test_allows_name_the_trust_statement(case: Case) -> None:
    decision = evaluate_hop(build_caller(case), build_target(case), build_request(case))
    assert any("/trust.json" in str(st.location) for st in decision.statements)
