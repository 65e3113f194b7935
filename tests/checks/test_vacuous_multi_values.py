"""vacuous-condition's question 3 shown Sat by the evaluator for a multi-valued string key the caller chooses (a
multi-valued SAML attribute; not ``sts:TransitiveTagKeys``, whose every value must be the key of a tag the request
passes): the solver's witness with the key's set replaced by one value that makes the condition false
(:func:`trustgraph.checks.exact.caller_chooses_set`, switch ``SolverOptions.multi_value_variants``). Every
counterexample shown that way is one the solver's question 3 admits, on the bundled example, the sample and small
organizations of every profile; none is shown under ``solver_only``; and the findings of vacuous-condition and
dead-trust-statement are the same field by field (rendered witnesses included) with the switch on and off."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_orgs import small_org

from tests.checks.test_statement_shortcuts import ORGS, _counter_questions, _load
from trustgraph.checks.base import is_sat
from trustgraph.checks.exact import caller_chooses_set, other_value_admitted, solver_only
from trustgraph.semantics.request import Action, Caller, CallerKind
from trustgraph.smt.options import SolverOptions

from .helpers import assert_same_without

RANDOM = [f"random-{s}" for s in (3, 4, 5)]


@pytest.mark.parametrize("name", [*ORGS, *RANDOM])
def test_multi_value_counterexamples_are_the_solvers(name: str, tmp_path: Path) -> None:
    """A counterexample only the multi-valued rule shows is one the solver's question 3 admits (Sat)."""
    ctx = _load(name, tmp_path)
    shown: set[str] = set()
    for role, c, st, j, question, alone, variables in _counter_questions(ctx):
        if other_value_admitted(st, j, alone, question, variables=variables):
            continue  # the single-valued rule's (tests/checks/test_statement_shortcuts.py)
        if other_value_admitted(st, j, alone, question, variables=variables, multi_values=True):
            shown.add(st.conditions[j].key)
            assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, j, c.label)
            with solver_only():
                assert not other_value_admitted(st, j, alone, question, variables=variables, multi_values=True)
    assert "sts:transitivetagkeys" not in shown, (name, shown)  # one value alone names no passed tag: refused
    if name == "condition-heavy-2":
        assert "saml:edupersonaffiliation" in shown, (name, shown)


def test_caller_chooses_set() -> None:
    """Multi-valued string keys free to the caller only: not the tag list or the transitive keys, not a single-valued
    key."""
    session = Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::111111111111:role/r")
    saml = Caller(kind=CallerKind.SAML, arn="arn:aws:iam::111111111111:saml-provider/idp")
    assert caller_chooses_set(saml, Action.ASSUME_ROLE_WITH_SAML, "saml:edupersonaffiliation")
    assert not caller_chooses_set(session, Action.ASSUME_ROLE, "sts:transitivetagkeys")  # coupled to the tags passed
    assert not caller_chooses_set(session, Action.ASSUME_ROLE, "aws:tagkeys")
    assert not caller_chooses_set(session, Action.ASSUME_ROLE, "sts:externalid")  # single-valued: caller_chooses
    assert not caller_chooses_set(session, Action.ASSUME_ROLE, "aws:principalorgpaths")  # the caller's own


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("federation-heavy", 1)])
@pytest.mark.parametrize("lazy", [True, False])
def test_findings_are_the_same_with_the_switch_off(profile: str, seed: int, lazy: bool, tmp_path: Path) -> None:
    tg = small_org(profile, seed, tmp_path)
    assert_same_without(tg, "multi_value_variants", lazy=lazy)


def test_the_switch_is_off_in_the_reference() -> None:
    assert SolverOptions().multi_value_variants and not SolverOptions.reference().multi_value_variants
