"""The per-(policy, action) statement index (``semantics.actions.statements_for_action``) against the evaluator's
plain walk of every statement (``actions.plain_scan()``, the reference): identical decisions, field by field, with
the same statements at the same locations, on generated policies and requests (hypothesis) and on every hop
evaluation a scan of the bundled example, the sample and small generated organizations makes (recorded, then
replayed both ways)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.smt.helpers import NOW_MS, A, B
from trustgraph.ingest.policy_json import policy_from_json, relocate_policy
from trustgraph.model.account import Role
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.model.values import format_date
from trustgraph.semantics import evaluate
from trustgraph.semantics.actions import plain_scan, statement_action_matches, statements_for_action
from trustgraph.semantics.context import build_request
from trustgraph.semantics.request import Action, Caller, CallerKind, Decision, Target

NOW = format_date(NOW_MS)
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"

ACTION_TEXTS = ["sts:AssumeRole", "STS:assumerole", "sts:Assume*", "sts:*", "*", "sts:TagSession", "sts:Tag?ession",
                "sts:SetSourceIdentity", "s3:GetObject", "s3:*", "iam:PassRole", "ec2:*", "sts:AssumeRoleWith*",
                "sts:Get*"]
RESOURCES = ["*", f"arn:aws:iam::{A}:role/R", f"arn:aws:iam::{A}:role/*", "arn:aws:iam::*:role/Other",
             "arn:aws:s3:::bucket/*", "arn:aws:iam::${aws:PrincipalAccount}:role/R"]
CONDITIONS = [None, {"StringEquals": {"aws:RequestTag/team": "a"}}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
              {"StringLike": {"sts:RoleSessionName": "${aws:username}"}}, {"Foo": {"aws:x": "1"}},
              {"StringEquals": {"aws:PrincipalOrgID": "o-mine"}}, {"Null": {"sts:SourceIdentity": "false"}}]
PRINCIPALS = ["*", {"AWS": f"arn:aws:iam::{B}:root"}, {"AWS": f"arn:aws:iam::{B}:user/bob"},
              {"AWS": f"arn:aws:iam::{B}:role/Ops"}, {"AWS": f"arn:aws:iam::{A}:root"}]


def _one_or_many(values: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3))


@st.composite
def _statement(draw: Any, *, trust: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if trust:
        out["Principal"] = draw(st.sampled_from(PRINCIPALS))
    out[draw(st.sampled_from(["Action", "Action", "NotAction"]))] = draw(_one_or_many(ACTION_TEXTS))
    if not trust:
        out[draw(st.sampled_from(["Resource", "Resource", "NotResource"]))] = draw(_one_or_many(RESOURCES))
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        out["Condition"] = condition
    return out


def _policy(draw: Any, name: str, *, trust: bool, max_size: int) -> Policy:
    doc = {"Version": "2012-10-17",
           "Statement": draw(st.lists(_statement(trust=trust), min_size=1, max_size=max_size))}
    return policy_from_json(doc, Location(f"{name}.json", "/Document"), kind="trust" if trust else "identity")


@st.composite
def _hop(draw: Any) -> tuple[Caller, Target, dict[str, str]]:
    trust = _policy(draw, "trust", trust=True, max_size=4)
    identity = tuple(_policy(draw, f"identity{i}", trust=False, max_size=8) for i in range(draw(st.integers(0, 3))))
    boundary = _policy(draw, "boundary", trust=False, max_size=3) if draw(st.booleans()) else None
    kind = draw(st.sampled_from(["bob", "ops", "same-account"]))
    if kind == "bob":
        caller = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{B}:user/bob", account=B,
                        unique_id="AIDABOBXXXXXXXXXXXXX", user_name="bob", identity_policies=identity,
                        boundary=boundary)
    else:
        account = B if kind == "ops" else A
        sessions = ((_policy(draw, "session", trust=False, max_size=3),) if draw(st.booleans()) else ())
        caller = Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:aws:iam::{account}:role/Ops", account=account,
                        unique_id="AROAOPSXXXXXXXXXXXXX", session_name="s1", identity_policies=identity,
                        boundary=boundary, session_policies=sessions,
                        source_identity="me" if draw(st.booleans()) else None)
    target = Target(role=Role(arn=f"arn:aws:iam::{A}:role/R", name="R", role_id="AROARXXXXXXXXXXXXXXX", account=A,
                              trust_policy=trust))
    extra = draw(st.fixed_dictionaries({}, optional={
        "aws:RequestTag/team": st.sampled_from(["a", "b"]),
        "sts:SourceIdentity": st.sampled_from(["me", "you"]),
        "aws:MultiFactorAuthPresent": st.sampled_from(["true", "false"])}))
    return caller, target, extra


def _plain(decision: Decision) -> tuple[Any, ...]:
    """Everything a decision says, statements by identity and location (their equality ignores locations)."""
    return (decision.verdict, tuple((id(s), str(s.location)) for s in decision.statements), decision.reasons,
            decision.approximations, decision)


def _both(caller: Caller, target: Target, request: Any) -> None:
    indexed = evaluate.evaluate_hop(caller, target, request)
    with plain_scan():
        reference = evaluate.evaluate_hop(caller, target, request)
    assert _plain(indexed) == _plain(reference)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hop=_hop(), action=st.just(Action.ASSUME_ROLE))
def test_indexed_and_plain_walk_decide_alike(hop: tuple[Caller, Target, dict[str, str]], action: Action) -> None:
    caller, target, extra = hop
    request = build_request(caller, action, extra, target=target, now=NOW)
    _both(caller, target, request)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), action=st.sampled_from(["sts:AssumeRole", "sts:TagSession", "s3:GetObject", "iam:ZzProbe",
                                               "STS:ASSUMEROLE", "zzprobe:ZzProbe"]))
def test_index_is_the_filtered_walk_on_moved_copies(data: Any, action: str) -> None:
    policy = _policy(data.draw, "p", trust=False, max_size=10)
    copy = relocate_policy(policy, Location("elsewhere.json", "/Other/0"))
    for p in (policy, copy, policy):  # the copy reuses the original's positions; asked twice, the same answer
        expected = tuple(s for s in p.statements if statement_action_matches(s, action))
        got = statements_for_action(p, action)
        assert got == expected
        assert all(a is b for a, b in zip(got, expected, strict=True))  # the policy's own statements (locations)
    for p in (policy, copy):
        for resource in ("*", f"arn:aws:iam::{A}:role/R"):
            indexed = evaluate.evaluate_policy(p, caller=_bob(), action=action, resource=resource, context={})
            with plain_scan():
                reference = evaluate.evaluate_policy(p, caller=_bob(), action=action, resource=resource, context={})
            assert [id(s) for s in indexed.allows + indexed.denies] == \
                [id(s) for s in reference.allows + reference.denies]
            assert indexed.approximations == reference.approximations


def _bob() -> Caller:
    return Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{B}:user/bob", account=B, user_name="bob")


# ------------------------------------------------------------------------------------------------------------------
# every hop evaluation of a scan, recorded and replayed both ways
# ------------------------------------------------------------------------------------------------------------------
def _record_scan(tg: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Caller, Target, Any, Decision]]:
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.checks.runner import run_checks

    seen: list[tuple[Caller, Target, Any, Decision]] = []
    original = evaluate.evaluate_hop

    def recording(caller: Caller, target: Target, request: Any, levels: Any = None) -> Decision:
        decision = original(caller, target, request, levels)
        seen.append((caller, target, request, decision))
        return decision

    monkeypatch.setattr(evaluate, "evaluate_hop", recording)
    run_checks(ScanContext(tg), select_checks(None), jobs=1)
    monkeypatch.setattr(evaluate, "evaluate_hop", original)
    return seen


def _replay(seen: list[tuple[Caller, Target, Any, Decision]]) -> None:
    assert seen
    for caller, target, request, decision in seen:
        with plain_scan():
            reference = evaluate.evaluate_hop(caller, target, request)
        assert _plain(decision) == _plain(reference), (caller.arn, target.role.arn, request)


def test_scan_hops_of_the_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.api import load

    _replay(_record_scan(load(), monkeypatch))


def test_scan_hops_of_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.api import load

    _replay(_record_scan(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]), monkeypatch))


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 3), ("random", 6), ("mix", 2),
                                               ("vendor-heavy", 1), ("condition-heavy", 1)])
def test_scan_hops_of_generated_organizations(profile: str, seed: int, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.api import load
    from trustgraph.synth.write import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile=profile)
    _replay(_record_scan(load(tmp_path), monkeypatch))
