"""Concrete callers' hops answered per class (``queries.hopclass``, switch ``SolverOptions.hop_classes``) give the
answers of the engine with the switch off, field by field: the searches from outside (every result, every hop's
source, target, action, caller, request context, statements and approximations) and the findings of a scan, on the
bundled example, the two-account sample and small generated organizations of every profile (random seeds 1, 2 and 6
included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _fresh(tg: TrustGraph, on: bool, session: SolverSession) -> TrustGraph:
    # one solver session for both runs, hop classes first: which of several valid witnesses z3 gives a hop depends
    # on what it was asked before, so each run on its own session may pick another one; with the store the first run
    # filled, a hop it sent to the solver gets the same witness in the second, and a class member's witness (replayed
    # from its class's, never stored) must equal the one the member's own question finds in the second run
    session.options = SolverOptions() if on else SolverOptions().without("hop_classes")
    return twin_of(tg, session)


def _reach(tg: TrustGraph, on: bool, session: SolverSession) -> tuple[list[Any], int]:
    fresh = _fresh(tg, on, session)
    out = []
    for without in ((), ("sts:ExternalId",)):
        for r in fresh.query("*", None, fresh_options(without)):
            out.append((r.source, r.target, r.verdict, r.approximations, tuple(
                (h.source, h.target, h.action, h.caller, h.context, h.statements, h.approximations, h.method)
                for h in r.hops)))
    return out, fresh.engine.classes.hits


def fresh_options(without: tuple[str, ...]) -> Any:
    from trustgraph.queries.options import QueryOptions

    return QueryOptions.make(without=without)


def _scan(tg: TrustGraph, on: bool, session: SolverSession) -> list[dict[str, Any]]:
    ctx = ScanContext(_fresh(tg, on, session))
    return [finding_to_plain(f) for f in run_checks(ctx, select_checks(None)).findings]


def _same(tg: TrustGraph, scan: bool = True) -> int:
    session = SolverSession()
    new, hits = _reach(tg, True, session)
    old, none = _reach(tg, False, session)
    assert none == 0
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert a == b, (a[0], a[1])
    if scan:
        session = SolverSession()
        new_findings = _scan(tg, True, session)
        assert new_findings == _scan(tg, False, session)
    return hits


def test_bundled_example() -> None:
    _same(load())


def test_two_account_sample() -> None:
    _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    _same(load(tmp_path), scan=profile != "condition-heavy")


def test_classes_answer_members_of_an_account(tmp_path: Path) -> None:
    """Sessions of ten roles of one account, each allowed by its own ``Allow sts:AssumeRole on *``, call a role that
    trusts the account root when the session name starts with ``ops-`` (a key the caller chooses: the solver's
    question, answered by a concrete-first guess): one question per class, the others replayed, with the same
    results field by field as each asked on its own."""
    from .builders import V, account, allow_aws, graph, role, trust

    mine = {"PolicyName": "assume", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}
    root = trust(allow_aws("arn:aws:iam::111122223333:root"))
    named = trust(allow_aws("arn:aws:iam::111122223333:root", {"StringLike": {"sts:RoleSessionName": "ops-*"}}))
    roles = [role("111122223333", f"worker-{i}", root, inline=[mine]) for i in range(10)]
    roles.append(role("111122223333", "ops", named))
    tg = graph(account("111122223333", roles=roles))
    assert _same(tg) >= 8


def test_reference_options_switch_it_off() -> None:
    assert not SolverOptions.reference().hop_classes
    assert SolverOptions().hop_classes


# ------------------------------------------------------------------------------- evaluation reads its own statements
def test_keys_of_statements_for_other_actions_leave_the_request_determined() -> None:
    """A condition on a caller-chosen key in a statement for another action (``s3:GetObject`` only in eu-west-1) takes
    no part in an assume-role call: the hop is decided by evaluating the one request, with the verdict of the
    solver (and of the reference path), and a key such a statement reads is not in the witness."""
    from trustgraph.queries.ground import decide_by_evaluation, keys_for_action
    from trustgraph.semantics.request import Action
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.solve import Sat, reference_answer

    from .builders import V, account, allow_aws, graph, role, trust

    region = {"PolicyName": "work", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}}
    guarded = {"PolicyName": "guarded", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}}
    tg = graph(account("111122223333", roles=[
        role("111122223333", "caller", trust(allow_aws("arn:aws:iam::111122223333:root")), inline=[region]),
        role("111122223333", "guarded-caller", trust(allow_aws("arn:aws:iam::111122223333:root")), inline=[guarded]),
        role("111122223333", "target", trust(allow_aws("arn:aws:iam::111122223333:root"))),
    ]))
    engine = tg.engine
    target = engine.target("arn:aws:iam::111122223333:role/target")
    caller = engine.caller("arn:aws:iam::111122223333:role/caller", False)
    memo: dict[Any, Any] = {}
    assert "aws:requestedregion" not in {k.lower() for k in keys_for_action(
        caller.identity_policies[0], Action.ASSUME_ROLE, memo)}
    assert decide_by_evaluation(caller, target, Action.ASSUME_ROLE, (), engine.now_ms) is None  # whole policies
    fast = decide_by_evaluation(caller, target, Action.ASSUME_ROLE, (), engine.now_ms, narrowed=memo)
    reference = reference_answer(HopQuestion(caller, target, Action.ASSUME_ROLE, (), False, engine.now_ms))
    assert isinstance(fast, Sat) and isinstance(reference, Sat)
    assert fast.request.get("aws:requestedregion") == ("us-east-1",)  # the standard value, not one it chose
    # a condition of the statement that allows the call still needs the solver
    guarded_caller = engine.caller("arn:aws:iam::111122223333:role/guarded-caller", False)
    assert decide_by_evaluation(guarded_caller, target, Action.ASSUME_ROLE, (), engine.now_ms, narrowed=memo) is None


# ---------------------------------------------------------------------------- trust statements that need an absent key
@pytest.mark.parametrize(("condition", "blocked"), [
    ({"StringEquals": {"sts:ExternalId": "s3cr3t"}}, True),
    ({"StringLike": {"sts:ExternalId": "*"}}, True),
    ({"ForAnyValue:StringEquals": {"sts:ExternalId": "s3cr3t"}}, True),
    ({"StringEqualsIfExists": {"sts:ExternalId": "s3cr3t"}}, False),
    ({"StringNotEquals": {"sts:ExternalId": "s3cr3t"}}, False),
    ({"ForAllValues:StringEquals": {"sts:ExternalId": "s3cr3t"}}, False),
    ({"Null": {"sts:ExternalId": "true"}}, False),
    ({"StringEquals": {"sts:ExternalId": "${aws:PrincipalAccount}"}}, False),
])
def test_a_trust_that_needs_an_absent_key_is_unsat_without_the_solver(condition: dict[str, Any], blocked: bool) -> None:
    """Asked without sts:ExternalId, a hop into a role whose every Allow statement needs it is Unsat without a solver
    call (``derived.absent_blocks``), the verdict of the reference path; a condition an absent key may meet is left
    to the solver."""
    from trustgraph.queries.derived import DerivedUnsat, absent_blocks
    from trustgraph.queries.options import QueryOptions
    from trustgraph.semantics.request import Action
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.solve import KeyConstraint, Sat, reference_answer

    from .builders import account, allow_aws, graph, role, trust

    tg = graph(account("111122223333", roles=[
        role("111122223333", "vendor", trust(allow_aws("arn:aws:iam::444455556666:root", condition)))]))
    engine = tg.engine
    arn = "arn:aws:iam::111122223333:role/vendor"
    without = (KeyConstraint("sts:ExternalId", "absent"),)
    target = engine.target(arn)
    assert absent_blocks(target.role.trust_policy, Action.ASSUME_ROLE, without) is blocked
    state = ("account:444455556666", False)
    options = QueryOptions.make(without=["sts:ExternalId"])
    before = engine.solver_calls
    result = engine.decide(state, arn, Action.ASSUME_ROLE, options)
    reference = reference_answer(HopQuestion(engine.caller(*state), target, Action.ASSUME_ROLE, without, False,
                                             engine.now_ms))
    assert isinstance(result, Sat) is isinstance(reference, Sat)
    if blocked:
        assert isinstance(result, DerivedUnsat) and engine.solver_calls == before
        assert result.core  # the reason, from the hop's own answer when asked
