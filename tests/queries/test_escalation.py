"""Privilege escalation (``--via all``) on the fixtures of tests/data/privesc: for each user, can it become an
administrator of its account, by which methods, or which statement blocks it; and ``--via assume`` as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph
from trustgraph.cli.main import main
from trustgraph.graph.methods import METHOD_BY_ID, METHODS
from trustgraph.ingest.load import load_estate
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.semantics.permissions import evaluate_permission

DATA = Path(__file__).resolve().parents[1] / "data" / "privesc"
ARN = "arn:aws:iam::123456789012"

#: user -> the methods of its path to administrator power (None: unreachable), in order; "assume" for an
#: sts:AssumeRole hop
EXPECTED: dict[str, list[str] | None] = {
    "tp-putuserpolicy-self": ["iam-007"],
    "tp-attachuserpolicy-self": ["iam-008"],
    "tp-putgrouppolicy": ["iam-011"],
    "tp-attachgrouppolicy": ["iam-010"],
    "tp-addusertogroup": ["iam-013"],
    "tp-createpolicyversion-own": ["iam-001"],
    "tp-createaccesskey": ["iam-002"],
    "tp-createloginprofile": ["iam-004"],
    "tp-updateloginprofile": ["iam-006"],
    "tp-updateassumerolepolicy": ["iam-012"],
    "tp-passrole-lambda": ["lambda-001"],
    "tp-passrole-ec2": ["ec2-001"],
    "tp-passrole-split": ["lambda-001"],
    "tp-notaction-still-allows-put": ["iam-007"],
    "tp-condition-every-session": ["iam-007"],
    "tp-mixed": ["assume", "iam-005"],
    "tp-boundary-removal": ["trustgraph-delete-boundary"],
    "neg-allow-deny-one-policy": None,
    "neg-allow-deny-two-policies": None,
    "neg-deny-iam-star": None,
    "neg-policy-nobody-holds": None,
    "neg-condition-cannot-meet": None,
    "neg-passrole-wrong-service": None,
    "neg-keys-of-a-plain-user": None,
}


@pytest.fixture(scope="module")
def tg() -> TrustGraph:
    return TrustGraph(load_estate([DATA]))


def _methods(hops: Any) -> list[str]:
    return [h.method or "assume" for h in hops]


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_to_admin_via_all(tg: TrustGraph, user: str) -> None:
    results = tg.query(f"{ARN}:user/{user}", "admin", QueryOptions.make(via="all"))
    assert len(results) == 1
    r = results[0]
    expected = EXPECTED[user]
    if expected is None:
        assert r.verdict is Reach.UNREACHABLE, r
        assert r.target == "admin" and r.reason
    else:
        assert r.verdict is Reach.REACHABLE, r
        assert r.target == f"admin:{ARN.split(':')[4]}"
        assert _methods(r.hops)[-len(expected):] == expected
        for hop in r.hops:
            if hop.method is None:
                assert hop.replay().allowed
                continue
            assert hop.calls and hop.statements
            for caller, action, resource, context in hop.evidence:  # every call's witness replays
                assert evaluate_permission(caller, action, resource, context).allowed


@pytest.mark.parametrize(("user", "blocker"), [
    ("neg-allow-deny-one-policy", "explicit Deny"),
    ("neg-allow-deny-two-policies", "explicit Deny"),
    ("neg-condition-cannot-meet", "do not allow iam:PutUserPolicy"),
])
def test_unreachable_names_the_blocking_statement(tg: TrustGraph, user: str, blocker: str) -> None:
    r = tg.query(f"{ARN}:user/{user}", "admin", QueryOptions.make(via="all"))[0]
    assert blocker in (r.reason or "")


def test_edges_to_users_and_roles(tg: TrustGraph) -> None:
    esc = tg.escalations()
    assert {(e.target, e.method.id) for e in esc.edges_from(f"{ARN}:user/tp-createaccesskey")} == {
        (f"{ARN}:user/admin-alice", "iam-002")}
    # the passed role must trust the service: only Ec2Admin, not LambdaAdmin or AdminRole
    assert {e.target for e in esc.edges_from(f"{ARN}:user/tp-passrole-ec2")} == {f"{ARN}:role/Ec2Admin"}
    keys = esc.edges_from(f"{ARN}:user/neg-keys-of-a-plain-user")
    assert [(e.target, e.method.id) for e in keys] == [(f"{ARN}:user/plain-bob", "iam-002")]
    ec2 = esc.edges_from(f"{ARN}:user/tp-passrole-ec2")[0]
    assert ec2.calls[0].context["iam:passedtoservice"] == ("ec2.amazonaws.com",)


def test_via_assume_is_unchanged(tg: TrustGraph) -> None:
    plain = tg.query(f"{ARN}:user/tp-mixed", None)
    assert [r.target for r in plain] == [f"{ARN}:role/StepRole"]
    assert all(h.method is None for r in plain for h in r.hops)
    assert tg.query(f"{ARN}:user/tp-passrole-lambda", f"{ARN}:role/LambdaAdmin")[0].verdict is Reach.UNREACHABLE
    mixed = tg.query(f"{ARN}:user/tp-passrole-lambda", f"{ARN}:role/LambdaAdmin", QueryOptions.make(via="all"))
    assert mixed[0].verdict is Reach.REACHABLE and mixed[0].hops[0].method == "lambda-001"


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(DATA), "--from", f"{ARN}:user/tp-mixed", "--to", "admin", "--via", "all",
                 "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["query"]["via"] == "all"
    (result,) = doc["results"]
    assert result["verdict"] == "reachable"
    assert [h.get("method") for h in result["hops"]] == [None, "iam-005"]
    assert result["hops"][1]["calls"][0]["action"] == "iam:PutRolePolicy"


def test_catalogue_is_well_formed() -> None:
    assert len(METHOD_BY_ID) == len(METHODS)
    for m in METHODS:
        assert m.target in ("role", "user", "admin") and m.calls
        if m.calls[0].action == "iam:PassRole":
            assert m.service is not None and m.calls[0].fixed[0][0] == "iam:PassedToService"
        if m.target == "admin":
            assert m.via


def test_existing_resource_methods_are_possible_edges(tmp_path: Path) -> None:
    """lambda:UpdateFunctionCode reaches a role Lambda may assume only as a possible (approximate) edge: the export
    does not list the functions that run as it."""
    raw = json.loads((DATA / "gaad-123456789012.json").read_text())
    for u in raw["UserDetailList"]:
        if u["UserName"] == "plain-bob":
            u["UserPolicyList"] = [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": "*"}]}}]
    (tmp_path / "gaad-123456789012.json").write_text(json.dumps(raw))
    r = TrustGraph(load_estate([tmp_path])).query(f"{ARN}:user/plain-bob", "admin", QueryOptions.make(via="all"))[0]
    assert r.verdict is Reach.REACHABLE and r.approximate
    assert r.hops[0].method == "lambda-003" and r.hops[0].target == f"{ARN}:role/LambdaAdmin"


def test_narrowed_callers_decide_as_the_whole_caller(tg: TrustGraph) -> None:
    """The escalation edges computed with callers narrowed to the asked action's statements are those computed
    with the whole callers (the reference path), witnesses included."""
    from trustgraph.graph.admin import AdminDecider
    from trustgraph.graph.escalation import Escalations

    class Whole(AdminDecider):
        def narrowed(self, caller: Any, action: str) -> Any:
            return caller

    fast = Escalations(tg.graph, now_ms=tg.engine.now_ms)
    slow = Escalations(tg.graph, now_ms=tg.engine.now_ms, decider=Whole(now_ms=tg.engine.now_ms))
    for node in sorted(tg.estate.user_by_arn) + sorted(tg.estate.role_by_arn):
        a = [(e.target, e.method.id, [dict(c.context) for c in e.calls]) for e in fast.edges_from(node)]
        b = [(e.target, e.method.id, [dict(c.context) for c in e.calls]) for e in slow.edges_from(node)]
        assert a == b, node
