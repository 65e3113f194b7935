"""The chain specification (trustgraph/semantics/carried.py, docs/semantics.md §1.6): what a session carries into
the calls it makes next, decided call by call by the evaluator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.account import Role
from trustgraph.model.location import MEMORY
from trustgraph.semantics.carried import Carried, carried_after, evaluate_chain, session_caller
from trustgraph.semantics.context import build_request
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target

A = "111111111111"
ALL = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
    "sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]}]}, MEMORY)


def _role(name: str, actions: list[str], condition: dict[str, Any] | None = None,
          tags: tuple[tuple[str, str], ...] = ()) -> Target:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": actions}
    if condition:
        st["Condition"] = condition
    trust = policy_from_json({"Version": "2012-10-17", "Statement": [st]}, MEMORY, kind="trust")
    return Target(role=Role(arn=f"arn:aws:iam::{A}:role/{name}", name=name, role_id=f"AROA{name.upper():X<17}",
                            account=A, trust_policy=trust, tags=tags))


def _session(target: Target) -> Caller:
    role = target.role
    return Caller(kind=CallerKind.ROLE_SESSION, arn=role.arn, account=A, unique_id=role.role_id,
                  session_name="s", identity_policies=(ALL,), tags=role.tags)


def _call(extra: dict[str, Any] | None = None) -> Callable[[Caller], Request]:
    return lambda caller: build_request(caller, Action.ASSUME_ROLE, extra or {}, now="2026-12-01T00:00:00Z")


USER = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{A}:user/alice", account=A,
              unique_id="AIDAALICEXXXXXXXXXXXX", user_name="alice", identity_policies=(ALL,))


def test_a_source_identity_set_once_is_carried_and_needs_set_source_identity_at_every_later_trust() -> None:
    first = _role("First", ["sts:AssumeRole", "sts:SetSourceIdentity"])
    strict = _role("Strict", ["sts:AssumeRole"])
    steps = evaluate_chain(USER, [(first, _call({"sts:SourceIdentity": "alice"})), (strict, _call())], _session)
    assert steps[0].decision.allowed and steps[0].carried == Carried("alice")
    assert steps[1].request.get("aws:sourceidentity") == ("alice",)
    assert steps[1].request.get("sts:sourceidentity") == ("alice",)
    assert not steps[1].decision.allowed
    assert any("sts:SetSourceIdentity" in r for r in steps[1].decision.reasons)
    open_ = _role("Open", ["sts:AssumeRole", "sts:SetSourceIdentity"])
    ok = evaluate_chain(USER, [(first, _call({"sts:SourceIdentity": "alice"})), (open_, _call())], _session)
    assert ok[1].decision.allowed and ok[1].carried == Carried("alice")


def test_transitive_tags_become_principal_tags_override_role_tags_and_cannot_be_changed() -> None:
    first = _role("First", ["sts:AssumeRole", "sts:TagSession"])
    second = _role("Second", ["sts:AssumeRole", "sts:TagSession"], {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
                   tags=(("Team", "red"),))
    tagged = _call({"aws:RequestTag/team": "blue", "sts:TransitiveTagKeys": ["team"]})
    steps = evaluate_chain(USER, [(first, tagged), (second, _call())], _session)
    assert steps[0].carried.transitive_tags == (("team", "blue"),)
    assert steps[1].decision.allowed and steps[1].carried.transitive_tags == (("team", "blue"),)
    # the session of Second (tagged Team=red) shows the inherited value, and keeps it transitive
    caller = session_caller(_session(second), steps[1].carried)
    assert dict((k.lower(), v) for k, v in caller.tags)["team"] == "blue"
    changed = evaluate_chain(USER, [(first, tagged), (second, _call({"aws:RequestTag/team": "green"}))], _session)
    assert not changed[1].decision.allowed
    assert "cannot pass" in changed[1].decision.reasons[0]


def test_carried_after_keeps_what_the_caller_carries() -> None:
    caller = session_caller(_session(_role("R", ["sts:AssumeRole"])), Carried("alice", (("team", "blue"),)))
    request = Request(action=Action.ASSUME_ROLE, context={"sts:sourceidentity": ("alice",),
                                                         "aws:requesttag/cost": ("1",)})
    assert carried_after(caller, request) == Carried("alice", (("team", "blue"),))
    assert not Carried() and Carried("x")
