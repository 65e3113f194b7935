"""vacuous-condition's question 3 shown Sat by the evaluator for a condition on aws:TagKeys or sts:TransitiveTagKeys
of the class of any AWS principal: the session tags of the solver's question-2 witness renamed, or one more tag
passed, so that the condition is false (:func:`trustgraph.checks.variants._tag_key_variants`, switch
``SolverOptions.tag_key_variants``). Every counterexample shown that way is one the solver's question 3 admits, on
small condition-heavy and random organizations; none is shown under ``solver_only`` or with the switch off; the
requests tried keep aws:TagKeys, the transitive keys and the request tags in agreement; and the findings of
vacuous-condition and dead-trust-statement are the same field by field (rendered witnesses included) with the switch
on and off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org

from tests.checks.test_statement_shortcuts import _load
from trustgraph.checks.base import (
    deny_like,
    is_assume_grant,
    is_sat,
    target_with,
    trust_statements,
    without_condition,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import solver_only
from trustgraph.checks.variants import OTHER_TAG_KEYS, _tag_key_variants, variant_admitted
from trustgraph.model.policy import Statement
from trustgraph.smt.options import SolverOptions

from .helpers import assert_same_without

TAG_LIST_KEYS = ("aws:tagkeys", "sts:transitivetagkeys")


def _tag_questions(ctx: ScanContext) -> Iterator[tuple[str, Any, Statement, int, Any, Any, bool]]:
    """Question 3 for every condition on a tag list key of an allowing statement, per class whose question 2 (the
    statement alone with the key present) is Sat, with that answer: (role, class, statement, index, target, witness,
    variables)."""
    from trustgraph.checks.base import statement_classes

    for role in ctx.roles:
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        for _, st in trust_statements(ctx, role):
            if not is_assume_grant(st):
                continue
            for j, cond in enumerate(st.conditions):
                if cond.key not in TAG_LIST_KEYS:
                    continue
                present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
                negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
                question = target_with(ctx, role, (without_condition(st, j), negation, present))
                for c in statement_classes(ctx, st)[0]:
                    witness = ctx.solve_hop(c.caller, target_with(ctx, role, (st, present)), c.action)
                    if is_sat(witness):
                        yield role, c, st, j, question, witness, variables


@pytest.mark.parametrize("name", ["condition-heavy-1", "condition-heavy-2", "random-3", "random-5"])
def test_tag_key_counterexamples_are_the_solvers(name: str, tmp_path: Path) -> None:
    """A counterexample only the tag change shows is one the solver's question 3 admits (Sat)."""
    ctx = _load(name, tmp_path)
    shown = 0
    for role, c, st, j, question, witness, variables in _tag_questions(ctx):
        orgs = getattr(c.caller, "excluded_orgs", frozenset())

        def shows(tags: bool) -> bool:
            return variant_admitted(st, j, c.label, witness, question, variables=variables,  # noqa: B023
                                    excluded_orgs=orgs, outsider=c.caller, tag_keys=tags)  # noqa: B023

        assert not shows(False)  # the tag change only
        if shows(True):
            shown += 1
            assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, j, c.label)
            with solver_only():
                assert not shows(True)
    if name.startswith("condition-heavy"):
        assert shown, name


@pytest.mark.parametrize("name", ["condition-heavy-1", "condition-heavy-2"])
def test_the_requests_tried_keep_the_tags_in_agreement(name: str, tmp_path: Path) -> None:
    """Each request tried lists exactly the tags it passes, its transitive keys among them, each key once (without
    case), the condition false on its new list, and a new key only from :data:`OTHER_TAG_KEYS` or the statement."""
    from trustgraph.semantics.evaluate import condition_evaluator

    ctx = _load(name, tmp_path)
    tried = 0
    for _, _, st, j, _, witness, variables in _tag_questions(ctx):
        cond = st.conditions[j]
        named = {t.lower() for c in st.conditions for t in c.texts}
        for request in _tag_key_variants(st, j, witness.request, variables=variables):
            tried += 1
            listed = [k.lower() for k in request.context["aws:tagkeys"]]
            tags = {k.split("/", 1)[1].lower() for k in request.context if k.startswith("aws:requesttag/")}
            assert len(set(listed)) == len(listed) and set(listed) == tags
            assert {k.lower() for k in request.context.get("sts:transitivetagkeys", ())} <= set(listed)
            before = {k.lower() for k in witness.request.context["aws:tagkeys"]}
            assert set(listed) - before <= set(OTHER_TAG_KEYS) | named
            assert not condition_evaluator()(cond, {cond.key: request.context[cond.key]}, variables=variables)
    assert tried, name


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 5)])
@pytest.mark.parametrize("lazy", [True, False])
def test_findings_are_the_same_with_the_switch_off(profile: str, seed: int, lazy: bool, tmp_path: Path) -> None:
    tg = small_org(profile, seed, tmp_path)
    assert_same_without(tg, "tag_key_variants", lazy=lazy)


def test_the_switch_is_off_in_the_reference() -> None:
    assert SolverOptions().tag_key_variants and not SolverOptions.reference().tag_key_variants
