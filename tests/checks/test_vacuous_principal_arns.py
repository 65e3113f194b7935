"""vacuous-condition's question 3 shown Sat by the evaluator for an ``aws:PrincipalArn`` condition of the class of
any AWS principal: the solver's witness moved to a role (of its own account, else of a fresh one) whose ARN makes the
condition false (:func:`trustgraph.checks.variants._arn_variant`, switch ``SolverOptions.principal_arn_variants``).
Every counterexample shown that way is one the solver's question 3 admits, on the bundled example, the sample and
small organizations of every profile; none is shown under ``solver_only`` or with the switch off; and the findings of
vacuous-condition and dead-trust-statement are the same field by field (rendered witnesses included) with the switch
on and off."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org

from tests.checks.test_statement_shortcuts import ORGS, _counter_questions, _load
from trustgraph.checks.base import is_sat
from trustgraph.checks.exact import solver_only
from trustgraph.checks.variants import variant_admitted
from trustgraph.smt.options import SolverOptions

from .helpers import assert_same_without

RANDOM = [f"random-{s}" for s in (3, 4, 5)]


@pytest.mark.parametrize("name", [*ORGS, *RANDOM])
def test_principal_arn_counterexamples_are_the_solvers(name: str, tmp_path: Path) -> None:
    """A counterexample only the ARN move shows is one the solver's question 3 admits (Sat)."""
    ctx = _load(name, tmp_path)
    shown = 0
    for role, c, st, j, question, alone, variables in _counter_questions(ctx):
        orgs = getattr(c.caller, "excluded_orgs", frozenset())

        def shows(arns: bool) -> bool:
            return variant_admitted(st, j, c.label, alone, question, variables=variables,  # noqa: B023
                                    excluded_orgs=orgs, outsider=c.caller, principal_arns=arns)  # noqa: B023

        if st.conditions[j].key != "aws:principalarn":
            continue
        assert not shows(False)  # the ARN move only
        if shows(True):
            shown += 1
            assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, j, c.label)
            with solver_only():
                assert not shows(True)
    if name.startswith("condition-heavy"):
        assert shown, name


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("vendor-heavy", 1)])
@pytest.mark.parametrize("lazy", [True, False])
def test_findings_are_the_same_with_the_switch_off(profile: str, seed: int, lazy: bool, tmp_path: Path) -> None:
    tg = small_org(profile, seed, tmp_path)
    assert_same_without(tg, "principal_arn_variants", lazy=lazy)


def test_the_switch_is_off_in_the_reference() -> None:
    assert SolverOptions().principal_arn_variants and not SolverOptions.reference().principal_arn_variants
