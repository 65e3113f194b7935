"""Tests of ``trustgraph synth``: reproducible bytes, requested counts, export shapes, loading, the CLI."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.cli.main import main
from trustgraph.errors import UsageError
from trustgraph.synth import ROLE_MIX, synthesize


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def gaads(folder: Path) -> list[Path]:
    return sorted(folder.glob("gaad-*.json"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("small")
    return out, synthesize(out, accounts=6, roles_per_account=60, seed=3)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    synthesize(a, accounts=4, roles_per_account=30, seed=11)
    synthesize(b, accounts=4, roles_per_account=30, seed=11)
    assert digest(a) == digest(b)


def test_different_seed_different_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    synthesize(a, accounts=4, roles_per_account=30, seed=11)
    synthesize(b, accounts=4, roles_per_account=30, seed=12)
    assert digest(a) != digest(b)


def test_requested_counts(small: tuple[Path, Any]) -> None:
    out, summary = small
    files = gaads(out)
    assert len(files) == 6 == summary.accounts
    per_account = [len(load(p)["RoleDetailList"]) for p in files]
    assert per_account == [60] * 6
    assert summary.roles == 360 == sum(n for _, n in summary.roles_by_kind)
    assert summary.files == len(list(out.iterdir()))
    assert summary.bytes == sum(p.stat().st_size for p in out.iterdir())
    assert summary.users == sum(len(load(p)["UserDetailList"]) for p in files)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accounts=st.integers(1, 5), roles=st.integers(1, 25), seed=st.integers(0, 2**32))
def test_counts_hold_for_any_size(tmp_path_factory: pytest.TempPathFactory, accounts: int, roles: int,
                                  seed: int) -> None:
    out = tmp_path_factory.mktemp("any")
    summary = synthesize(out, accounts=accounts, roles_per_account=roles, seed=seed)
    assert summary.roles == accounts * roles
    names = []
    for path in gaads(out):
        data = load(path)
        assert len(data["RoleDetailList"]) == roles
        names.append([r["RoleName"] for r in data["RoleDetailList"]])
    assert all(len(set(n)) == len(n) for n in names), "role names repeat within an account"


def test_every_file_is_json_of_the_right_shape(small: tuple[Path, Any]) -> None:
    out, summary = small
    shapes: Counter[str] = Counter()
    for path in sorted(out.iterdir()):
        data = load(path)
        assert isinstance(data, dict), path
        if path.name.startswith("gaad-"):
            assert set(data) == {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
            shapes["gaad"] += 1
        elif "Organization" in data:
            assert data["Organization"]["Id"] == summary.org_id
            shapes["describe-organization"] += 1
        elif "Accounts" in data:
            assert len(data["Accounts"]) == summary.accounts
            shapes["list-accounts"] += 1
        elif "Roots" in data:
            shapes["list-roots"] += 1
        elif "Parents" in data:
            assert isinstance(data["ChildId"], str) and len(data["Parents"]) == 1
            shapes["list-parents"] += 1
        elif "Policy" in data:
            assert isinstance(json.loads(data["Policy"]["Content"]), dict)
            shapes[data["Policy"]["PolicySummary"]["Type"]] += 1
        elif "Targets" in data:
            assert data["PolicyId"].startswith("p-") and data["Targets"]
            shapes["list-targets-for-policy"] += 1
        elif "SAMLProviderList" in data or "OpenIDConnectProviderList" in data:
            shapes["providers"] += 1
        else:
            pytest.fail(f"unexpected file {path.name}")
    assert shapes["gaad"] == 6 and shapes["describe-organization"] == 1 and shapes["list-accounts"] == 1
    assert shapes["list-roots"] == 1
    assert shapes["list-parents"] >= 6  # every account, plus the OUs in use
    assert shapes["SERVICE_CONTROL_POLICY"] == 2 and shapes["RESOURCE_CONTROL_POLICY"] == 2
    assert shapes["list-targets-for-policy"] == 4


def test_gaad_arns_belong_to_the_file_account(small: tuple[Path, Any]) -> None:
    out, _ = small
    for path in gaads(out):
        account = path.stem.removeprefix("gaad-")
        data = load(path)
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
            for entity in data[key]:
                assert entity["Arn"].split(":")[4] == account
        attached = {ref["PolicyArn"] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
                    for entity in data[key] for ref in entity["AttachedManagedPolicies"]}
        listed = {p["Arn"] for p in data["Policies"]}
        assert attached == listed, "every attached policy is listed, and only attached AWS managed ones"


def test_the_mix_contains_every_kind_and_trust_policies_repeat(tmp_path: Path) -> None:
    summary = synthesize(tmp_path, accounts=10, roles_per_account=80, seed=5)
    kinds = dict(summary.roles_by_kind)
    for kind, _ in ROLE_MIX:
        assert kinds.get(kind, 0) > 0, kind
    assert kinds["identity-center"] >= 30
    trusts = [json.dumps(r["AssumeRolePolicyDocument"], sort_keys=True)
              for p in gaads(tmp_path) for r in load(p)["RoleDetailList"]]
    distinct = len(set(trusts))
    assert distinct < len(trusts) / 3, f"{distinct} distinct trust policies for {len(trusts)} roles"


def test_scenarios_are_present(tmp_path: Path) -> None:
    synthesize(tmp_path, accounts=8, roles_per_account=120, seed=2)
    texts = [json.dumps(r["AssumeRolePolicyDocument"]) for p in gaads(tmp_path)
             for r in load(p)["RoleDetailList"]]
    joined = "\n".join(texts)
    assert "sts:ExternalId" in joined and "StringEqualsIfExists" in joined
    assert '"repo:' in joined and "aws:PrincipalOrgID" in joined and "aws:SourceAccount" in joined
    assert any('"Principal": {"AWS": "*"}' in t and "Condition" not in t for t in texts)
    roles = {r["RoleName"]: r for p in gaads(tmp_path) for r in load(p)["RoleDetailList"]}
    assert "TerraformApplyRole" in roles and "DeploymentRole" in roles and "GitHubDeployPipelineRole" in roles
    assert any(name.startswith("AWSReservedSSO_") for name in roles)
    assert any(r["Path"].startswith("/aws-service-role/") for r in roles.values())
    assert any(r["InstanceProfileList"] for r in roles.values())


def test_output_loads_with_the_loader(small: tuple[Path, Any]) -> None:
    from trustgraph.ingest.load import load_estate

    out, summary = small
    estate = load_estate([out])
    assert len(estate.accounts) == 6
    assert sum(len(a.roles) for a in estate.accounts) == summary.roles
    (org,) = estate.organizations
    assert org.org_id == summary.org_id and org.accounts_known and org.policies_known
    assert len(org.accounts) == 6 and all(a.parents for a in org.accounts)
    assert estate.default_zone().organizations == frozenset({summary.org_id})


def test_bad_counts_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--accounts"):
        synthesize(tmp_path, accounts=0, roles_per_account=5, seed=1)
    with pytest.raises(UsageError, match="--roles-per-account"):
        synthesize(tmp_path, accounts=1, roles_per_account=5001, seed=1)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        synthesize(blocker, accounts=1, roles_per_account=5, seed=1)


def test_cli_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "org"
    code = main(["synth", str(out), "--accounts", "3", "--roles-per-account", "12", "--seed", "9"])
    assert code == 0
    line = capsys.readouterr().out
    assert "3 accounts, 36 roles" in line and "seed 9" in line
    assert len(gaads(out)) == 3


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", str(tmp_path / "o"), "--accounts", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["trustgraph: error: --accounts must be between 1 and 10000, got 0"]
    assert main(["synth", str(tmp_path / "o"), "--seed", "abc"]) == 2
    assert "expected a whole number" in capsys.readouterr().err


def test_refuses_a_directory_holding_other_exports(tmp_path: Path) -> None:
    synthesize(tmp_path, accounts=2, roles_per_account=5, seed=1)
    synthesize(tmp_path, accounts=2, roles_per_account=5, seed=1)  # same arguments: overwrite in place
    with pytest.raises(UsageError, match="holds other JSON files"):
        synthesize(tmp_path, accounts=2, roles_per_account=5, seed=2)
