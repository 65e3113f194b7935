"""The statement checks' fast paths held to the solver, on the bundled example, the two-account sample and small
generated organizations of every profile: a statement without conditions that the evaluator shows alive
(:func:`trustgraph.checks.exact.unconditioned_admits`, remembered per statement and role facts by
dead-trust-statement) is one the solver finds satisfiable, and the checks report the same findings with every
shortcut off (:func:`trustgraph.checks.exact.solver_only`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import trustgraph
from trustgraph.checks.base import (
    is_assume_grant,
    is_sat,
    is_unknown,
    statement_classes,
    target_with,
    trust_statements,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import solver_only, unconditioned_admits
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import run_checks
from trustgraph.model.values import format_date
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.synth.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "datasets" / "example-org"
SAMPLE = ROOT / "tests" / "data" / "two-account-sample"
SAMPLE_ZONE = ["111122223333", "o-a1b2c3d4e5"]


#: The analysis time of every scan here (two scans compared share their witnesses' clock keys).
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _load(name: str, tmp_path: Path) -> ScanContext:
    if name == "example":
        tg = trustgraph.load(EXAMPLE, zone_file=str(EXAMPLE / "zone.toml"))
    elif name == "sample":
        tg = trustgraph.load(SAMPLE, zone=SAMPLE_ZONE)
    else:
        from trustgraph.synth import synthesize

        profile, seed = name.rsplit("-", 1)
        if not any(tmp_path.iterdir()):
            synthesize(tmp_path, accounts=3, roles_per_account=20, seed=int(seed), profile=profile)
        tg = trustgraph.load(tmp_path)
    return ScanContext(GraphQueries(tg.estate, tg.zone, tg.graph, now=NOW))


ORGS = ["example", "sample", *(f"{p}-{s}" for p in PROFILES for s in (1, 2))]


@pytest.mark.parametrize("name", ORGS)
def test_unconditioned_admits_only_what_the_solver_admits(name: str, tmp_path: Path) -> None:
    ctx = _load(name, tmp_path)
    now = format_date(ctx.engine.now_ms)
    shown = asked = 0
    for role in ctx.roles:
        for _, st in trust_statements(ctx, role):
            if not is_assume_grant(st) or st.conditions:
                continue
            classes, _ = statement_classes(ctx, st)
            only = target_with(ctx, role, (st,))
            for c in classes:
                asked += 1
                if unconditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                        now=now):
                    shown += 1
                    assert is_sat(ctx.solve_hop(c.caller, only, c.action)), (role, st.location, c.label)
    assert shown > 0
    assert shown >= asked // 2  # the shortcut settles the common statements (services, accounts, roles)


def test_unconditioned_admits_is_off_under_solver_only(tmp_path: Path) -> None:
    ctx = _load("sample", tmp_path)
    now = format_date(ctx.engine.now_ms)
    role = next(r for r in ctx.roles for _, st in trust_statements(ctx, r) if is_assume_grant(st) and not st.conditions)
    st = next(st for _, st in trust_statements(ctx, role) if is_assume_grant(st) and not st.conditions)
    c = statement_classes(ctx, st)[0][0]
    only = target_with(ctx, role, (st,))
    assert unconditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account, now=now)
    with solver_only():
        assert not unconditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                        now=now)


STATEMENT_CHECKS = ["dead-trust-statement", "vacuous-condition"]


@pytest.mark.parametrize("name", ["example", "sample", "mix-1", "federation-heavy-1", "chain-heavy-1",
                                  "vendor-heavy-1"])
def test_dead_trust_statement_reports_the_same_with_every_shortcut_off(name: str, tmp_path: Path) -> None:
    fast = run_checks(_load(name, tmp_path), select_checks(STATEMENT_CHECKS), jobs=1).findings
    with solver_only():
        reference = run_checks(_load(name, tmp_path), select_checks(STATEMENT_CHECKS), jobs=1).findings
    assert fast == reference


@pytest.mark.parametrize("name", ["example", "sample", "mix-1", "federation-heavy-1", "chain-heavy-1",
                                  "vendor-heavy-1"])
def test_vacuous_condition_shares_only_verdicts_that_report_nothing(name: str, tmp_path: Path) -> None:
    """The scan shares "this statement restricts every caller" between roles alike; asked role by role, each in a
    scan of its own (nothing shared), the findings are the same."""
    check = select_checks(["vacuous-condition"])
    fast = run_checks(_load(name, tmp_path), check, jobs=1).findings
    alone = _load(name, tmp_path)
    reference = [f for role in alone.roles
                 for f in run_checks(ScanContext(alone.tg, [role]), check, jobs=1).findings]
    assert list(fast) == reference


def _counter_questions(ctx: ScanContext) -> Iterator[tuple[str, Any, Any, int, Any, Any, bool]]:
    """vacuous-condition's question 3 for every condition false without its key (external ids, token claims,
    SAML attributes, principal keys...) of an allowing statement and live class, with the witness the shortcut starts
    from: (role, class, statement, condition index, target, witness, variables)."""
    from trustgraph.checks.base import deny_like, statement_alone, without_condition
    from trustgraph.checks.exact import false_when_absent

    for role in ctx.roles:
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        for index, st in trust_statements(ctx, role):
            if not is_assume_grant(st) or not st.conditions:
                continue
            answers, _ = statement_alone(ctx, role, index, st)
            for j, cond in enumerate(st.conditions):
                if not false_when_absent(cond, variables=variables):
                    continue
                present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
                negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
                question = target_with(ctx, role, (without_condition(st, j), negation, present))
                for c, alone in answers:
                    if is_sat(alone):
                        yield role, c, st, j, question, alone, variables


@pytest.mark.parametrize("name", ORGS)
def test_other_value_admitted_only_where_the_solver_finds_a_counterexample(name: str, tmp_path: Path) -> None:
    """Every counterexample the shortcut shows (an external id, a token claim, a SAML attribute changed) is one the
    solver finds too; the keys it changes include the token claims of the federation profiles."""
    from trustgraph.checks.exact import CALLER_CHOSEN, other_value_admitted

    ctx = _load(name, tmp_path)
    shown: set[str] = set()
    for role, c, st, j, question, alone, variables in _counter_questions(ctx):
        if other_value_admitted(st, j, alone, question, variables=variables):
            shown.add(st.conditions[j].key)
            assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, c.label)
            with solver_only():
                assert not other_value_admitted(st, j, alone, question, variables=variables)
    if name in ("example", "sample") or name.startswith(("mix", "vendor")):
        assert set(CALLER_CHOSEN) & shown
    if name.startswith("federation"):
        assert any(key.endswith(":sub") for key in shown), shown


def test_caller_chooses_only_free_request_keys() -> None:
    """Token claims and an external id are the caller's to choose; its own principal keys, the role's keys and the
    clock are not."""
    from trustgraph.checks.exact import caller_chooses
    from trustgraph.semantics.request import Action, Caller, CallerKind

    tg = trustgraph.load(SAMPLE, zone=SAMPLE_ZONE)
    ctx = ScanContext(GraphQueries(tg.estate, tg.zone, tg.graph, now=NOW))
    target = ctx.engine.target(ctx.roles[0])
    github = Caller(kind=CallerKind.WEB_IDENTITY,
                    arn="arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    web = Action.ASSUME_ROLE_WITH_WEB_IDENTITY
    assert caller_chooses(github, target, web, "token.actions.githubusercontent.com:sub")
    assert not caller_chooses(github, target, web, "gitlab.com:sub")  # another provider's claim is never sent
    session = Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::444455556666:role/r", account="444455556666",
                     session_name="s")
    assume = Action.ASSUME_ROLE
    assert caller_chooses(session, target, assume, "sts:externalid")
    for key in ("aws:principalarn", "aws:principalaccount", "aws:resourceaccount", "aws:currenttime",
                "aws:sourceip"):
        assert not caller_chooses(session, target, assume, key), key


@pytest.mark.parametrize("name", ORGS)
def test_true_when_present_only_where_the_solver_finds_no_counterexample(name: str, tmp_path: Path) -> None:
    """A condition the shortcut says holds for every value of its present key (``StringLike "*"``) is one whose
    question 3 the solver answers Unsat."""
    from trustgraph.checks.exact import true_when_present

    ctx = _load(name, tmp_path)
    shown = 0
    for role, c, st, j, question, _, _ in _counter_questions(ctx):
        if true_when_present(st.conditions[j]):
            shown += 1
            answer = ctx.solve_hop(c.caller, question, c.action)
            assert not is_sat(answer) and not is_unknown(answer), (role, st.location, c.label)
            with solver_only():
                assert not true_when_present(st.conditions[j])
    if name.startswith("vendor"):
        assert shown > 0


@pytest.mark.parametrize("name", ORGS)
def test_conditioned_admits_only_what_the_solver_admits(name: str, tmp_path: Path) -> None:
    """A class the evaluator shows getting in under a conditioned statement alone (conditions on keys the caller
    chooses: external ids, token claims, SAML attributes) is one the solver finds Sat for; the shortcut settles
    most conditioned statements of the vendor and federation profiles."""
    from trustgraph.checks.exact import conditioned_admits

    ctx = _load(name, tmp_path)
    now = format_date(ctx.engine.now_ms)
    shown = asked = 0
    for role in ctx.roles:
        for _, st in trust_statements(ctx, role):
            if not is_assume_grant(st) or not st.conditions:
                continue
            classes, _ = statement_classes(ctx, st)
            only = target_with(ctx, role, (st,))
            for c in classes:
                asked += 1
                witness = conditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                             now=now)
                if witness is not None:
                    shown += 1
                    assert witness.decision.allowed
                    assert is_sat(ctx.solve_hop(c.caller, only, c.action)), (role, st.location, c.label)
                    with solver_only():
                        assert conditioned_admits(st, c.label, c.caller, c.action, only,
                                                  fresh_account=ctx.fresh_account, now=now) is None
    if name.startswith(("vendor", "federation")):
        assert shown >= asked // 2, (shown, asked)


@pytest.mark.parametrize("name", ORGS)
def test_saml_audience_pinned_only_where_the_solver_finds_no_assertion(name: str, tmp_path: Path) -> None:
    """A SAML edge whose trust policy pins SAML:aud to sign-in endpoints by its text
    (:func:`trustgraph.checks.exact.values_pinned`) is one whose saml-missing-audience question the solver answers
    Unsat; the check reports the same with the shortcut off."""
    from trustgraph.checks.exact import values_pinned
    from trustgraph.checks.saml_missing_audience import SIGNIN_ENDPOINTS
    from trustgraph.graph.nodes import NodeKind
    from trustgraph.model.principal import PrincipalKind
    from trustgraph.semantics.request import Action
    from trustgraph.smt.constraints import ground_satisfies
    from trustgraph.smt.solve import KeyConstraint

    ctx = _load(name, tmp_path)
    constraint = KeyConstraint("saml:aud", "not-like", SIGNIN_ENDPOINTS)
    action = Action.ASSUME_ROLE_WITH_SAML
    shown = 0
    for role in ctx.roles:
        statements = ctx.estate.role_by_arn[role].trust_policy.statements
        for source, _, data in ctx.graph.in_edges(role, data=True):
            if ctx.graph.nodes[source]["kind"] != NodeKind.SAML.value or data["action"] != action.value:
                continue
            if values_pinned(statements, action, frozenset({PrincipalKind.SAML_PROVIDER}), "saml:aud",
                             lambda v: not ground_satisfies(constraint, (v,))):
                shown += 1
                answer = ctx.hop(source, role, action, (constraint,))
                assert not is_sat(answer) and not is_unknown(answer), (role, source)
    if name.startswith("federation"):
        assert shown > 0
    check = select_checks(["saml-missing-audience"])
    fast = run_checks(_load(name, tmp_path), check, jobs=1).findings
    with solver_only():
        assert run_checks(_load(name, tmp_path), check, jobs=1).findings == fast


@pytest.mark.parametrize("name", ORGS)
def test_mfa_dropped_admitted_only_where_the_solver_finds_a_counterexample(name: str, tmp_path: Path) -> None:
    """An MFA condition the evaluator shows restricting (the class's witness with MFA, sent again without it, gets
    in without the condition) is one whose question 3 the solver answers Sat."""
    from trustgraph.checks.base import deny_like, without_condition
    from trustgraph.checks.exact import conditioned_admits, mfa_dropped_admitted, mfa_required

    ctx = _load(name, tmp_path)
    now = format_date(ctx.engine.now_ms)
    shown = 0
    for role in ctx.roles:
        for _, st in trust_statements(ctx, role):
            if not is_assume_grant(st) or not any(mfa_required(c) for c in st.conditions):
                continue
            classes, _ = statement_classes(ctx, st)
            only = target_with(ctx, role, (st,))
            for c in classes:
                witness = conditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                             now=now)
                if witness is None:
                    continue
                assert witness.caller.mfa
                for j, cond in enumerate(st.conditions):
                    if not mfa_required(cond):
                        continue
                    present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
                    negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}},
                                         "condition-holds")
                    question = target_with(ctx, role, (without_condition(st, j), negation, present))
                    if mfa_dropped_admitted(st, j, c.label, witness, question):
                        shown += 1
                        assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location)
                        with solver_only():
                            assert not mfa_dropped_admitted(st, j, c.label, witness, question)
    if name in ("example", "sample"):
        assert shown > 0


@pytest.mark.parametrize("name", ORGS)
def test_plain_restrictions_only_where_the_solver_finds_every_counterexample(name: str, tmp_path: Path) -> None:
    """A statement vacuous-condition's plain rule clears (every condition a plain StringEquals on a key the caller
    chooses) has, for every class the solver finds live, a counterexample to every condition (question 3 Sat); the
    rule settles the statements of external ids and token claims of the profiles, and is off under solver_only."""
    from trustgraph.checks.base import deny_like, statement_alone, without_condition
    from trustgraph.checks.vacuous_condition import _restricts_plainly

    ctx = _load(name, tmp_path)
    cleared = 0
    for role in ctx.roles:
        for index, st in trust_statements(ctx, role):
            if not is_assume_grant(st) or not st.conditions or not _restricts_plainly(ctx, role, st):
                continue
            cleared += 1
            answers, _ = statement_alone(ctx, role, index, st)
            for j, cond in enumerate(st.conditions):
                present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
                negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
                question = target_with(ctx, role, (without_condition(st, j), negation, present))
                for c, alone in answers:
                    if is_sat(alone):
                        assert is_sat(ctx.solve_hop(c.caller, question, c.action)), (role, st.location, c.label)
    if name.startswith(("vendor", "federation")):
        assert cleared > 0


@pytest.mark.parametrize("name", ["example", "sample", "mix-1", "federation-heavy-1", "vendor-heavy-1",
                                  "vendor-heavy-2", "random-1"])
def test_vacuous_condition_reports_the_same_without_the_plain_rule(name: str, tmp_path: Path) -> None:
    from trustgraph.checks.vacuous_condition import VacuousCondition

    check = select_checks(["vacuous-condition"])
    fast = run_checks(_load(name, tmp_path), check, jobs=1).findings
    try:
        VacuousCondition.plain_rule = False
        without = run_checks(_load(name, tmp_path), check, jobs=1).findings
    finally:
        VacuousCondition.plain_rule = True
    assert fast == without


def test_the_plain_rule_needs_a_value_the_condition_rejects(tmp_path: Path) -> None:
    """StringEquals on aws:SourceAccount (twelve digits) naming every account id the rule would try, an IfExists
    condition, or two conditions on one key: not cleared (the evaluator or the solver decides)."""
    from dataclasses import replace

    from trustgraph.checks.exact import OTHER_VALUES
    from trustgraph.checks.vacuous_condition import _restricts_plainly
    from trustgraph.ingest.policy_json import conditions_from_json
    from trustgraph.model.location import MEMORY

    ctx = _load("sample", tmp_path)
    role = ctx.roles[0]
    base = next(st for _, st in trust_statements(ctx, role))

    def with_conditions(block: dict[str, Any]) -> Any:
        return replace(base, conditions=conditions_from_json(block, MEMORY, variables=True))

    external = with_conditions({"StringEquals": {"sts:ExternalId": "abc"}})
    if statement_classes(ctx, external)[0] and all(c.label == "aws" for c in statement_classes(ctx, external)[0]):
        assert _restricts_plainly(ctx, role, external)
    assert not _restricts_plainly(ctx, role, with_conditions({"StringEqualsIfExists": {"sts:ExternalId": "abc"}}))
    assert not _restricts_plainly(ctx, role, with_conditions(
        {"StringEquals": {"sts:ExternalId": "abc"}, "StringLike": {"sts:ExternalId": "a*"}}))
    every = [v for v in OTHER_VALUES if v.isdigit()]
    assert not _restricts_plainly(ctx, role, with_conditions({"StringEquals": {"aws:SourceAccount": every}}))
