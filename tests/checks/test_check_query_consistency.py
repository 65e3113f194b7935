"""Every check's claim about a statement or a source agrees with ``query`` on the same question (issue 13, item 8):
on the bundled example, on small generated organizations, and on estates built around questions that once
disagreed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import trustgraph
from trustgraph.synth import synthesize

from .consistency import disagreements, scan_findings
from .helpers import ALLOW_ALL, ZONE, A, gaad, role, role_arn, stmt, trust, write_estate


def test_bundled_example_checks_agree_with_query() -> None:
    tg = trustgraph.load()
    _, findings = scan_findings(tg)
    assert {f.check_id for f in findings} >= {"dead-trust-statement", "external-without-external-id",
                                              "oidc-any-subject", "external-path-to-admin"}
    assert disagreements(tg) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_organization_checks_agree_with_query(tmp_path: Path, seed: int) -> None:
    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed)
    assert disagreements(trustgraph.load(tmp_path)) == []


def _user(name: str, user_id: str) -> dict[str, Any]:
    return {"Path": "/", "UserName": name, "UserId": user_id, "Arn": f"arn:aws:iam::{A}:user/{name}",
            "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [], "AttachedManagedPolicies": [],
            "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": ALLOW_ALL}]}


def test_statement_on_aws_userid_is_not_dead_when_query_reaches_through_it(tmp_path: Path) -> None:
    """The issue's disagreement: scan called a statement on aws:userid dead while query reached the role through it.
    Real unique ids have 17 characters after AIDA/AROA (IAM User Guide, "Unique identifiers")."""
    dev = role("Dev", trust(stmt({"AWS": f"arn:aws:iam::{A}:root"})), policies=[ALLOW_ALL])
    by_session = role("BySession", trust(stmt({"AWS": f"arn:aws:iam::{A}:root"},
                                              condition={"StringLike": {"aws:userid": dev["RoleId"] + ":*"}})))
    by_user = role("ByUser", trust(stmt({"AWS": f"arn:aws:iam::{A}:root"},
                                        condition={"StringEquals": {"aws:userid": "AIDAJQABLZS4A3QDU576Q"}})))
    doc = gaad(dev, by_session, by_user)
    doc["UserDetailList"] = [_user("alice", "AIDAJQABLZS4A3QDU576Q")]
    tg = trustgraph.load(write_estate(tmp_path / "exports", {A: doc}), zone=list(ZONE))
    assert tg.can_reach(role_arn("Dev"), role_arn("BySession")).verdict.value == "reachable"
    assert tg.can_reach(f"arn:aws:iam::{A}:user/alice", role_arn("ByUser")).verdict.value == "reachable"
    _, findings = scan_findings(tg)
    assert [f for f in findings if f.check_id == "dead-trust-statement"] == []
    assert disagreements(tg) == []
