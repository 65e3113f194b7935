"""Issue 4's acceptance questions on the two-account sample (A=111122223333 in o-a1b2c3d4e5, B=444455556666 outside)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.cli.main import main
from trustgraph.queries.results import Reach
from trustgraph.semantics.request import Verdict

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
A = "arn:aws:iam::111122223333:role/"
GITHUB = "federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def tg() -> TrustGraph:
    return load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"])


def test_b_reaches_break_glass_admin_in_three_hops_with_a_witness_per_hop(tg: TrustGraph) -> None:
    r = tg.can_reach("account:444455556666", A + "BreakGlassAdminRole")
    assert r.verdict is Reach.REACHABLE
    assert [h.target.rsplit("/", 1)[-1] for h in r.hops] == [
        "VendorIntegrationRole", "DeployRole", "BreakGlassAdminRole"]
    assert r.hops[0].context["aws:PrincipalAccount"] == ("444455556666",)
    assert r.hops[1].context["aws:PrincipalArn"] == (A + "VendorIntegrationRole",)
    assert r.hops[2].context["aws:PrincipalArn"] == (A + "DeployRole",)
    for hop in r.hops:
        assert hop.replay().verdict is Verdict.ALLOW


EXTERNAL_REACHES = ["VendorIntegrationRole", "DeployRole", "BreakGlassAdminRole", "CiCrossAccountRole",
                    "GitHubActionsDeployRole", "GitHubActionsScopedRole", "OktaSamlAdminRole", "OrgWideReadRole"]
EXTERNAL_NEVER = ["AuditRoleWithExternalId", "WildcardExternalIdOnlyRole", "StaleTrustRole",
                  "CrossAccountOrgGuardedRole", "AdminRole", "app/AppServerEc2Role", "LambdaExecRole",
                  "aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"]


def test_external_without_external_id(tg: TrustGraph) -> None:
    results = tg.external_access(without=["sts:ExternalId"])
    reached = {r.target for r in results if r.verdict is Reach.REACHABLE}
    for name in EXTERNAL_REACHES:
        assert A + name in reached, name
    for name in EXTERNAL_NEVER:
        assert A + name not in reached, name
    assert not [r for r in results if r.verdict is Reach.UNKNOWN]
    org_wide = [r for r in results if r.target == A + "OrgWideReadRole" and r.verdict is Reach.REACHABLE]
    assert min(len(r.hops) for r in org_wide) == 2
    path = min(org_wide, key=lambda r: len(r.hops))
    assert path.hops[0].target == A + "VendorIntegrationRole"
    assert path.hops[1].context["aws:PrincipalOrgID"] == ("o-a1b2c3d4e5",)
    for r in results:
        for hop in r.hops:
            assert "sts:ExternalId" not in hop.context
            assert hop.replay().verdict is Verdict.ALLOW


def test_github_attacker_repo_reaches_unpinned_role_only(tg: TrustGraph) -> None:
    results = tg.reachable_from(
        GITHUB, given={"token.actions.githubusercontent.com:sub": "repo:attacker/x:ref:refs/heads/main"},
        closed=True)
    reached = {r.target for r in results if r.verdict is Reach.REACHABLE}
    assert A + "GitHubActionsDeployRole" in reached
    assert A + "GitHubActionsScopedRole" not in reached


def test_unreachable_pair_names_the_blocking_condition(tg: TrustGraph) -> None:
    r = tg.can_reach("account:444455556666", A + "CrossAccountOrgGuardedRole")
    assert r.verdict is Reach.UNREACHABLE
    assert "aws:PrincipalOrgID" in (r.reason or "")


def test_stale_unique_id_role_is_unreachable_because_no_principal_matches(tg: TrustGraph) -> None:
    r = tg.can_reach("account:444455556666", A + "StaleTrustRole")
    assert r.verdict is Reach.UNREACHABLE
    assert "no principal matches" in (r.reason or "")


def test_cli_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(SAMPLE), "--zone", "111122223333", "--zone", "o-a1b2c3d4e5",
                 "--from", "account:444455556666", "--to", A + "BreakGlassAdminRole", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["query"]["from"] == "account:444455556666"
    assert doc["query"]["zone"]["organizations"] == ["o-a1b2c3d4e5"]
    [result] = doc["results"]
    assert result["verdict"] == "reachable"
    assert len(result["hops"]) == 3
    assert set(result["hops"][0]) >= {"source", "target", "action", "context"}


def test_cli_specific_pair_unreachable_is_one_result(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(SAMPLE), "--zone", "111122223333", "--zone", "o-a1b2c3d4e5",
                 "--from", "account:444455556666", "--to", A + "AuditRoleWithExternalId", "--format", "json"])
    assert code == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert result["verdict"] == "unreachable"
    assert result["reason"]


def test_cli_bad_source_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", str(SAMPLE), "--from", "arn:aws:iam::111122223333:user/nobody"])
    assert code == 2
    assert "nobody" in capsys.readouterr().err
