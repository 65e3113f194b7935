"""The minimal IAM policies in trustgraph/collect/policies allow exactly the calls `trustgraph collect` makes.

Every request of a whole-organization collection against moto is recorded with botocore's ``before-send`` hook,
attributed to the caller or to a member role by its access key, and checked against the policy of that principal:
some Allow statement must match the action (IAM's case-insensitive wildcard match) and the resource (the role ARN
for ``sts:AssumeRole``; the other calls are granted on ``"*"``), and no action the policy grants may go unused.
``sts:GetCallerIdentity`` needs no permission (AWS STS API reference: "No permissions are required to perform this
operation").
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from importlib.resources import files
from pathlib import Path
from typing import Any

from tests.collect.conftest import MANAGEMENT, Built, Call, Recorder
from trustgraph.collect.run import CollectOptions, collect
from trustgraph.collect.session import SessionOptions, Sessions
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location

NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}


def _policy(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("trustgraph.collect") / "policies" / name).read_text())
    return data


def _as_list(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]


def _resource(call: Call) -> str:
    return call.params["RoleArn"][0] if call.action == "sts:AssumeRole" else "*"


def _allowed(policy: dict[str, Any], call: Call) -> bool:
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        if not any(fnmatchcase(call.action.lower(), a.lower()) for a in _as_list(statement["Action"])):
            continue
        if any(fnmatchcase(_resource(call), r) for r in _as_list(statement["Resource"])):
            return True
    return False


def _granted(policy: dict[str, Any]) -> set[str]:
    return {a.lower() for s in policy["Statement"] for a in _as_list(s["Action"])}


def test_the_policies_are_valid_identity_and_trust_policies() -> None:
    for name, kind in (("caller.json", "identity"), ("member-role.json", "identity"),
                       ("member-role-trust.json", "trust")):
        policy = policy_from_json(_policy(name), Location(name, ""), kind=kind)  # type: ignore[arg-type]
        assert policy.statements and not list(policy.all_flags()), name


def test_every_call_of_an_organization_collection_is_allowed_and_every_grant_is_used(
        organization: Built, aws: str, recorder: Recorder, tmp_path: Path) -> None:
    sessions = Sessions(SessionOptions(endpoint_url=aws), session=recorder.session())
    summary = collect(tmp_path / "org", CollectOptions(organization=True), sessions)
    assert len(summary.with_status("ok")) == 3
    caller_policy, member_policy = _policy("caller.json"), _policy("member-role.json")

    caller_calls = [c for c in recorder.calls if c.account(recorder.keys) == MANAGEMENT]
    member_calls = [c for c in recorder.calls if c.account(recorder.keys) != MANAGEMENT]
    assert caller_calls and member_calls and not [c for c in member_calls if c.account(recorder.keys) == "?"]
    refused = [c.action for c in caller_calls if c.action not in NO_PERMISSION_NEEDED
               and not _allowed(caller_policy, c)]
    assert refused == []
    refused = [c.action for c in member_calls if c.action not in NO_PERMISSION_NEEDED
               and not _allowed(member_policy, c)]
    assert refused == []
    assert _granted(caller_policy) == {c.action.lower() for c in caller_calls} - {
        a.lower() for a in NO_PERMISSION_NEEDED}
    assert _granted(member_policy) == {c.action.lower() for c in member_calls}


def test_the_check_refuses_a_call_the_policy_does_not_grant() -> None:
    policy = _policy("member-role.json")
    assert not _allowed(policy, Call("organizations:ListAccounts", "k", {}, b""))
    assume = Call("sts:AssumeRole", "k", {"RoleArn": ["arn:aws:iam::111122223333:role/Other"]}, b"")
    assert not _allowed(_policy("caller.json"), assume)
    assert _allowed(_policy("caller.json"), Call(
        "sts:AssumeRole", "k", {"RoleArn": ["arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"]}, b""))
