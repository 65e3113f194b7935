"""vacuous-condition's counterexamples built from the solver's witness (:mod:`trustgraph.checks.variants`) held to
the solver: every question 3 the evaluator shows Sat that way is one the solver answers Sat, on the bundled example,
the two-account sample and small organizations of every profile (random shapes of several seeds among them); and the
check reports the same findings with every shortcut off."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.checks.test_statement_shortcuts import ORGS, _counter_questions, _load
from trustgraph.checks.base import is_sat
from trustgraph.checks.exact import solver_only
from trustgraph.checks.finding import Finding
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import run_checks
from trustgraph.checks.variants import variant_admitted

RANDOM = [f"random-{s}" for s in (3, 4, 5, 6)]


@pytest.mark.parametrize("name", [*ORGS, *RANDOM])
def test_variant_admitted_only_where_the_solver_finds_a_counterexample(name: str, tmp_path: Path) -> None:
    """Each counterexample shown (a request key of another value, an outsider of another organization, MFA age or
    principal tag) is one the solver's question 3 admits; none is shown under ``solver_only``."""
    ctx = _load(name, tmp_path)
    shown: set[str] = set()
    for role, c, st, j, question, alone, variables in _counter_questions(ctx):
        excluded = getattr(c.caller, "excluded_orgs", frozenset())
        if variant_admitted(st, j, c.label, alone, question, variables=variables, excluded_orgs=excluded):
            shown.add(st.conditions[j].key)
            assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, j, c.label)
            with solver_only():
                assert not variant_admitted(st, j, c.label, alone, question, variables=variables,
                                            excluded_orgs=excluded)
    if name.startswith("condition-heavy"):
        assert shown, name


def test_variant_admitted_covers_principal_and_typed_keys(tmp_path: Path) -> None:
    """On random shapes the counterexamples reach the keys the string shortcut cannot: an outsider's organization,
    MFA age and tags, Bool, Numeric and IP request keys."""
    shown: set[str] = set()
    for i, name in enumerate(RANDOM):
        path = tmp_path / str(i)
        path.mkdir()
        ctx = _load(name, path)
        for _, c, st, j, question, alone, variables in _counter_questions(ctx):
            if variant_admitted(st, j, c.label, alone, question, variables=variables,
                                excluded_orgs=getattr(c.caller, "excluded_orgs", frozenset())):
                shown.add(st.conditions[j].key)
    assert any(k.startswith("aws:principal") for k in shown), shown
    assert shown & {"aws:securetransport", "aws:sourceip", "sts:durationseconds"}, shown


def _verdicts(findings: Sequence[Finding]) -> list[tuple[object, ...]]:
    """What a finding says, without its witness's values (the solver may pick another model for the same verdict
    when it was asked other questions before: e.g. another principal name of the same candidate)."""
    return [(f.check_id, f.role, f.source, f.kind, f.severity, f.message, f.statements,
             tuple((h.source, h.target, h.action, h.statements) for h in f.path)) for f in findings]


@pytest.mark.parametrize("name", ["condition-heavy-1", "condition-heavy-2", *RANDOM])
def test_vacuous_condition_reports_the_same_with_every_shortcut_off(name: str, tmp_path: Path) -> None:
    check = select_checks(["vacuous-condition"])
    fast = run_checks(_load(name, tmp_path), check, jobs=1).findings
    with solver_only():
        reference = run_checks(_load(name, tmp_path), check, jobs=1).findings
    assert _verdicts(fast) == _verdicts(reference)
