"""Class keys holding the target's role class instead of its ARN (``EvaluatedClasses.role_classes``) against the
reference (the ARN): every answer a class gives is the member's own evaluation field by field (the decision's trust
statements are the member's target's own objects, at their own locations), who_can_reach, the outsider searches and
the scans give the same answers, and roles alike do share classes (more hops answered from a class); a role whose
trust policy matches a Resource and a caller statement whose Resource holds a policy variable keep the ARN in the
key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.queries.test_class_moves import _engine_state, _searched
from tests.queries.test_eval_classes import _evaluated_hops_match, _key
from trustgraph.api import TrustGraph
from trustgraph.model.policy import Statement
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.roleclass import arn_blind, resources_fixed

from .builders import V, account, allow_aws, graph, role, trust

ORG = "o-a1b2c3d4e5"
A, B = "111122223333", "444455556666"


def _assume(resource: str | list[str]) -> dict[str, Any]:
    return {"PolicyName": "assume", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]}}


def _estate(resource: str | list[str], *, trust_resource: bool = False) -> TrustGraph:
    """Four roles of account A with one trust text (the account roots of A and B), and callers in both accounts
    whose identity policy allows sts:AssumeRole on ``resource`` (``trust_resource``: every trust statement has a
    Resource)."""
    doc = trust(allow_aws([f"arn:aws:iam::{A}:root", f"arn:aws:iam::{B}:root"]))
    if trust_resource:
        doc["Statement"][0]["Resource"] = f"arn:aws:iam::{A}:role/shared-*"
    hubs = [role(A, f"shared-{i}", doc) for i in range(4)]
    def own(acct: str) -> dict[str, Any]:
        doc = trust(allow_aws(f"arn:aws:iam::{acct}:root"))
        if trust_resource:
            doc["Statement"][0]["Resource"] = "arn:aws:iam::*:role/*"
        return doc

    callers = {acct: [role(acct, f"worker-{i}", own(acct), inline=[_assume(resource)]) for i in range(4)]
               for acct in (A, B)}
    for i, r in enumerate(callers[A] + callers[B]):
        r["Tags"] = [{"Key": "team", "Value": "red" if i % 2 else "blue"}]
    return graph(account(A, roles=[*hubs, *callers[A]]), account(B, roles=callers[B]), orgs={ORG: [A, B]})


def _who(tg: TrustGraph, on: bool) -> tuple[list[Any], TrustGraph]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(EvaluatedClasses, "role_classes", on)
        fresh = twin(tg)
        roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")
        out = [_key(r) for role_arn in roles for kw in ({}, {"without": ["sts:ExternalId"]})
               for r in fresh.who_can_reach(role_arn, **kw)]
        _evaluated_hops_match(fresh)
    return out, fresh


@pytest.mark.parametrize(("resource", "trust_resource", "shared"), [
    ("*", False, True),
    (f"arn:aws:iam::{A}:role/shared-*", False, True),
    ([f"arn:aws:iam::{A}:role/shared-1", f"arn:aws:iam::{A}:role/shared-2"], False, True),
    ("arn:aws:iam::${aws:PrincipalAccount}:role/shared-*", False, False),
    ("*", True, False),
], ids=["star", "glob", "literal", "variable", "trust-resource"])
def test_who_can_reach_equal_with_role_classes(resource: Any, trust_resource: bool, shared: bool) -> None:
    """who_can_reach on every role gives the reference's answers; each class answer is the member's own evaluation;
    roles alike share classes (more hits, keys holding a role class) unless the hop may read the ARN."""
    tg = _estate(resource, trust_resource=trust_resource)
    fast, fast_tg = _who(tg, True)
    slow, slow_tg = _who(tg, False)
    assert fast and fast == slow
    fast_ev, slow_ev = fast_tg.engine.evaluated, slow_tg.engine.evaluated
    assert not any(k[0].__class__ is int for k in slow_ev._known)
    if shared:
        assert fast_ev.hits > slow_ev.hits
        assert any(k[0].__class__ is int for k in fast_ev._known)
    else:
        assert fast_ev.hits == slow_ev.hits
        assert not any(k[0].__class__ is int for k in fast_ev._known)


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("vendor-heavy", 1), ("federation-heavy", 2),
                                            ("mix", 1), ("chain-heavy", 3), ("random", 2), ("random", 5)])
def test_searches_equal_with_role_classes(name: str, seed: int, tmp_path: Path) -> None:
    """The outsider searches of the reach checks, the engine's memos, filed answers and leads (answers field by field)
    equal the reference's, and each Sat hop of a concrete caller is its own evaluation."""
    tg = small_org(name, seed, tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(EvaluatedClasses, "role_classes", True)
        fast_tg = twin(tg)
        fast, fast_engine, _, _ = _searched(fast_tg, True, True)
        _evaluated_hops_match(fast_tg)
        mp.setattr(EvaluatedClasses, "role_classes", False)
        slow_tg = twin(tg)
        slow, slow_engine, _, _ = _searched(slow_tg, True, True)
    assert fast == slow
    assert _engine_state(fast_engine)[:4] == _engine_state(slow_engine)[:4]  # the counters differ: fewer evaluations
    assert fast_engine.evaluated.hits >= slow_engine.evaluated.hits


@pytest.mark.parametrize(("name", "seed"), [("example", 0), ("sample", 0), ("vendor-heavy", 2),
                                            ("federation-heavy", 1), ("chain-heavy", 3), ("random", 5)])
def test_scans_equal_with_role_classes_off(name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with role classes and with the ARN in every key."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (EvaluatedClasses, "role_classes"))


def _statement(**fields: Any) -> Statement:
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import MEMORY

    st = {"Effect": "Allow", "Action": "sts:AssumeRole", **fields}
    return policy_from_json({"Version": V, "Statement": [st]}, MEMORY).statements[0]


def test_arn_blind_and_fixed_resources() -> None:
    """Only no Resource/NotResource or a Resource ``*`` is ARN-blind; only a Resource/NotResource with a policy
    variable is not fixed."""
    assert arn_blind(_statement()) and arn_blind(_statement(Resource="*"))
    assert arn_blind(_statement(Resource=["arn:aws:iam::*:role/a", "*"]))
    assert not arn_blind(_statement(Resource="arn:aws:iam::*:role/*"))
    assert not arn_blind(_statement(NotResource="arn:aws:iam::*:role/a"))
    assert not arn_blind(_statement(Resource="arn:aws:iam::*:role/${aws:username}"))
    assert resources_fixed([_statement(), _statement(Resource="arn:aws:iam::*:role/a-*"),
                            _statement(NotResource="arn:aws:iam::*:role/b")])
    assert not resources_fixed([_statement(), _statement(Resource="arn:aws:iam::*:role/${aws:username}")])
    assert not resources_fixed([_statement(NotResource="arn:aws:iam::*:role/${aws:PrincipalTag/team}")])
