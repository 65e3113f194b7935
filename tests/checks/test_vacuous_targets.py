"""vacuous-condition's question targets made once per statement for every caller class (switch
``VacuousCondition.shared_targets``, :class:`trustgraph.checks.vacuous_condition._Targets`) against making them for
each class and condition: on generated organizations vacuous-condition's and dead-trust-statement's findings are the
same field by field (each check's own and the grouped scan's, the rendered witnesses included); the kept targets are
the ones made afresh (equal values) and are made once however many classes ask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

from tests.counting import count_calls
from trustgraph.api import TrustGraph
from trustgraph.checks import vacuous_condition
from trustgraph.checks.base import deny_like, target_with, without_condition
from trustgraph.checks.context import ScanContext
from trustgraph.checks.vacuous_condition import VacuousCondition, _Targets
from trustgraph.model.condition import Operator
from trustgraph.smt.options import SolverOptions

from .helpers import statement_check_findings


def _same(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    fast = statement_check_findings(tg, SolverOptions())
    monkeypatch.setattr(VacuousCondition, "shared_targets", False)
    reference = statement_check_findings(tg, SolverOptions())
    monkeypatch.undo()
    assert len(fast) == len(reference)
    for new, old in zip(fast, reference, strict=True):
        assert new == old  # finding by finding: the witness each renders included
    return fast


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("federation-heavy", 1)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _same(small_org(profile, seed, tmp_path), monkeypatch)
    if profile == "condition-heavy":
        assert any(f["check_id"] == "vacuous-condition" for f in found)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=3, max_value=10_000), profile=st.sampled_from(["condition-heavy", "random"]))
def test_any_seed(seed: int, profile: str, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    _same(small_org(profile, seed, tmp_path_factory.mktemp("org")), monkeypatch)


def test_the_kept_targets_are_the_ones_made_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every target and Deny statement :class:`_Targets` keeps equals the one the reference lines make, and a second
    ask (another class) makes nothing: ``deny_like`` is not called again."""
    tg = small_org("condition-heavy", 1, tmp_path)
    ctx = ScanContext(tg)
    made = count_calls(monkeypatch, vacuous_condition, "deny_like")
    checked = 0
    for role in tg.estate.role_by_arn.values():
        for st_ in role.trust_policy.statements:
            targets = _Targets(ctx, role.arn, st_)
            assert targets.alone() == target_with(ctx, role.arn, (st_,))
            for j, cond in enumerate(st_.conditions):
                if cond.operator in (Operator.NULL, Operator.UNKNOWN):
                    continue
                present = deny_like(st_, {"Null": {cond.key_text: ["true"]}}, "key-absent")
                negation = deny_like(st_, {cond.operator_text: {cond.key_text: list(cond.values)}},
                                     "condition-holds")
                before = made[0]
                assert targets.present(j) == present
                assert targets.with_key(j) == target_with(ctx, role.arn, (st_, present))
                assert targets.question(j) == target_with(ctx, role.arn,
                                                          (without_condition(st_, j), negation, present))
                assert made[0] == before + 2  # the key-absent Deny once, the negation once
                assert targets.present(j) is targets.present(j) and targets.question(j) is targets.question(j)
                assert made[0] == before + 2
                checked += 1
    assert checked > 0


def test_the_switch_is_on() -> None:
    assert VacuousCondition.shared_targets


def test_a_parsed_block_serves_every_statement(tmp_path: Path) -> None:
    """``deny_like`` with a store of parsed blocks: the same Deny statement as parsing afresh, for every condition
    of every statement of a generated organization; a block asked again is the one parsed first (the store holds one
    entry per tag and block); ``"1"`` and ``1`` are different blocks."""
    tg = small_org("condition-heavy", 2, tmp_path)
    parsed: dict[tuple[str, str], Any] = {}
    blocks = set()
    for role in tg.estate.role_by_arn.values():
        for st_ in role.trust_policy.statements:
            for cond in st_.conditions:
                for raw, tag in (({"Null": {cond.key_text: ["true"]}}, "key-absent"),
                                 ({cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")):
                    kept = deny_like(st_, raw, tag, parsed=parsed)
                    assert kept == deny_like(st_, raw, tag)
                    assert deny_like(st_, raw, tag, parsed=parsed).conditions is kept.conditions
                    blocks.add((tag, repr(raw)))
    assert blocks and len(parsed) == len(blocks)
    st_ = next(s for r in tg.estate.role_by_arn.values() for s in r.trust_policy.statements)
    text = deny_like(st_, {"NumericEquals": {"aws:MultiFactorAuthAge": ["1"]}}, "t", parsed=parsed)
    number = deny_like(st_, {"NumericEquals": {"aws:MultiFactorAuthAge": [1]}}, "t", parsed=parsed)
    assert text == deny_like(st_, {"NumericEquals": {"aws:MultiFactorAuthAge": ["1"]}}, "t")
    assert number == deny_like(st_, {"NumericEquals": {"aws:MultiFactorAuthAge": [1]}}, "t")


def test_the_store_keeps_at_most_its_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``DENY_BLOCKS_KEPT`` blocks, a new block is parsed and not kept; the Deny statement is the same."""
    from trustgraph.checks import base

    monkeypatch.setattr(base, "DENY_BLOCKS_KEPT", 2)
    tg = small_org("condition-heavy", 1, tmp_path)
    st_ = next(s for r in tg.estate.role_by_arn.values() for s in r.trust_policy.statements)
    parsed: dict[tuple[str, str], Any] = {}
    for n in range(5):
        raw = {"StringEquals": {"sts:ExternalId": [f"id-{n}"]}}
        assert deny_like(st_, raw, "condition-holds", parsed=parsed) == deny_like(st_, raw, "condition-holds")
        assert len(parsed) == min(n + 1, 2)
