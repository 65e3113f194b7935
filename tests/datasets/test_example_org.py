"""Structural tests of the bundled example organization (datasets/example-org) and its expected answers.

These check the dataset itself (shapes, ids, consistency between the exports and the intended answers); the golden
tests that run the analyzer against ``datasets/expected/example-org.json`` belong to the query and scan suites.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "datasets" / "example-org"
EXPECTED_FILE = ROOT / "datasets" / "expected" / "example-org.json"
CHECKS = {"external-without-external-id", "external-without-mfa", "public-role", "oidc-any-subject",
          "saml-missing-audience", "service-confused-deputy", "vacuous-condition", "dead-trust-statement",
          "external-path-to-admin", "invalid-trust-policy"}
SEVERITIES = {"low", "medium", "high", "critical"}
ENTITY_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|role|group|policy|instance-profile)/")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def gaad_files() -> list[Path]:
    return sorted(DATASET.glob("gaad-*.json"))


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return load(EXPECTED_FILE)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def principals() -> dict[str, set[str]]:
    """ARNs of the exported roles and users, and the provider ARNs of the provider listings."""
    roles: set[str] = set()
    users: set[str] = set()
    for path in gaad_files():
        data = load(path)
        roles |= {r["Arn"] for r in data["RoleDetailList"]}
        users |= {u["Arn"] for u in data["UserDetailList"]}
    providers: set[str] = set()
    for path in DATASET.glob("iam-list-*.json"):
        data = load(path)
        for item in data.get("SAMLProviderList", []) + data.get("OpenIDConnectProviderList", []):
            providers.add(item["Arn"])
    return {"roles": roles, "users": users, "providers": providers}


def test_every_json_file_parses() -> None:
    paths = sorted((ROOT / "datasets").rglob("*.json"))
    assert len(paths) == 26  # 25 exports + the expected answers
    for path in paths:
        assert isinstance(load(path), dict), path


def test_package_marker_exists() -> None:
    assert (ROOT / "datasets" / "__init__.py").is_file()


@pytest.mark.parametrize("path", gaad_files(), ids=lambda p: p.name)
def test_gaad_entities_belong_to_one_account(path: Path) -> None:
    data = load(path)
    account = path.stem.removeprefix("gaad-")
    arns: list[str] = []
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for entity in data[key]:
            arns.append(entity["Arn"])
            for profile in entity.get("InstanceProfileList", []):
                arns.append(profile["Arn"])
                arns.extend(r["Arn"] for r in profile["Roles"])
            arns.extend(p["PolicyArn"] for p in entity.get("AttachedManagedPolicies", [])
                        if not p["PolicyArn"].startswith("arn:aws:iam::aws:"))
    arns.extend(p["Arn"] for p in data["Policies"] if not p["Arn"].startswith("arn:aws:iam::aws:"))
    assert arns
    owners = set()
    for arn in arns:
        match = ENTITY_ARN.match(arn)
        assert match, arn
        owners.add(match.group(1))
    assert owners == {account}


@pytest.mark.parametrize("path", gaad_files(), ids=lambda p: p.name)
def test_gaad_shape_is_the_cli_shape(path: Path) -> None:
    data = load(path)
    assert set(data) == {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
    ids = set()
    for role in data["RoleDetailList"]:
        assert isinstance(role["AssumeRolePolicyDocument"], dict)  # decoded, as the CLI writes it
        assert role["AssumeRolePolicyDocument"]["Version"] == "2012-10-17"
        assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"])
        assert role["Arn"].endswith(f":role{role['Path']}{role['RoleName']}")
        ids.add(role["RoleId"])
    for user in data["UserDetailList"]:
        assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"])
        ids.add(user["UserId"])
    assert len(ids) == len(data["RoleDetailList"]) + len(data["UserDetailList"])
    # groups named by users exist
    groups = {g["GroupName"] for g in data["GroupDetailList"]}
    for user in data["UserDetailList"]:
        assert set(user["GroupList"]) <= groups


def test_one_attached_aws_managed_policy_is_left_out_of_policies() -> None:
    missing = []
    for path in gaad_files():
        data = load(path)
        present = {p["Arn"] for p in data["Policies"]}
        for role in data["RoleDetailList"]:
            for ref in role["AttachedManagedPolicies"]:
                if ref["PolicyArn"] not in present:
                    missing.append((role["RoleName"], ref["PolicyArn"]))
    assert missing == [("AWSServiceRoleForSupport",
                        "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy")]


def test_roles_per_account_are_kept_small() -> None:
    counts = {p.stem: len(load(p)["RoleDetailList"]) for p in gaad_files()}
    assert counts == {"gaad-100000000001": 9, "gaad-100000000002": 14, "gaad-100000000003": 13,
                      "gaad-210987654321": 2}


def test_organizations_files_carry_child_and_policy_ids() -> None:
    parents = sorted(DATASET.glob("org-list-parents-*.json"))
    assert {load(p)["ChildId"] for p in parents} == {"100000000001", "100000000002", "100000000003",
                                                     "ou-ex12-workload"}
    for path in sorted(DATASET.glob("org-list-targets-for-policy-*.json")):
        data = load(path)
        assert path.stem.endswith(data["PolicyId"])
        described = load(DATASET / f"org-describe-policy-{data['PolicyId']}.json")
        assert described["Policy"]["PolicySummary"]["Id"] == data["PolicyId"]
        assert isinstance(json.loads(described["Policy"]["Content"]), dict)  # Content is a JSON string
    types = {load(p)["Policy"]["PolicySummary"]["Type"] for p in DATASET.glob("org-describe-policy-*.json")}
    assert types == {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}


def _arn_sources(entries: list[dict[str, Any]]) -> list[str]:
    return [e["from"] for e in entries if e["from"].startswith("arn:")]


def test_expected_arns_exist_in_the_exports(expected: dict[str, Any], principals: dict[str, set[str]]) -> None:
    entries = expected["reachable"] + expected["unreachable"]
    for variant in expected["variants"]:
        entries += variant["reachable"] + variant["unreachable"]
    for entry in entries:
        assert entry["to"] in principals["roles"], entry
        source = entry["from"]
        if source.startswith("arn:"):
            assert source in principals["roles"] | principals["users"], entry
        elif source.startswith("federated:arn:"):
            assert source.removeprefix("federated:") in principals["providers"], entry
        else:
            assert source in {"external", "*"} or re.fullmatch(r"account:\d{12}", source) or \
                source.startswith(("service:", "federated:")), entry
    for item in expected["findings"] + expected["no_findings"]:
        assert item["role"] in principals["roles"], item
    for item in expected["unspecified"]:
        assert set(item["roles"]) <= principals["roles"], item
    for provider in expected["zone"]["identity_providers"]:
        assert provider["provider"] in principals["providers"]


def test_expected_answers_are_well_formed(expected: dict[str, Any]) -> None:
    for entry in expected["reachable"]:
        assert isinstance(entry["hops"], int) and entry["hops"] >= 1, entry
    for entry in expected["unreachable"]:
        assert "hops" not in entry
    pairs = [(e["from"], e["to"], tuple(e["without"]), json.dumps(e.get("given"), sort_keys=True))
             for e in expected["reachable"] + expected["unreachable"]]
    assert len(pairs) == len(set(pairs)), "a question is answered twice"
    fired = {(f["check"], f["role"]) for f in expected["findings"]}
    silent = {(f["check"], f["role"]) for f in expected["no_findings"]}
    assert len(fired) == len(expected["findings"])
    assert not fired & silent
    for item in expected["findings"]:
        assert item["check"] in CHECKS and item["severity"] in SEVERITIES, item
    for item in expected["no_findings"]:
        assert item["check"] in CHECKS, item
    assert set(expected["findings_complete_for"]) <= CHECKS
    # every check id of the catalogue is exercised one way or the other
    assert {f["check"] for f in expected["findings"] + expected["no_findings"]} == CHECKS


def test_confused_deputy_story_is_consistent(expected: dict[str, Any]) -> None:
    """The vendor's two customers: one protected by the ExternalId, one not, plus the two vacuous variants."""
    ewx = {f["role"] for f in expected["findings"] if f["check"] == "external-without-external-id"}
    assert "arn:aws:iam::100000000003:role/ExampleCorpIntegrationRole" in ewx
    assert "arn:aws:iam::100000000002:role/ExampleCorpIntegrationRole" not in ewx
    assert "arn:aws:iam::100000000002:role/ExampleCorpLegacyIfExistsRole" in ewx
    assert "arn:aws:iam::100000000003:role/ExampleCorpMonitoringWildcardIdRole" not in ewx
    vacuous = {f["role"] for f in expected["findings"] if f["check"] == "vacuous-condition"}
    assert {"arn:aws:iam::100000000002:role/ExampleCorpLegacyIfExistsRole",
            "arn:aws:iam::100000000003:role/ExampleCorpMonitoringWildcardIdRole"} <= vacuous


def test_trust_policies_match_the_readme_role_names(expected: dict[str, Any]) -> None:
    readme = (DATASET / "README.md").read_text(encoding="utf-8")
    for path in gaad_files():
        for role in load(path)["RoleDetailList"]:
            name = role["RoleName"]
            short = name if not name.startswith("AWSReservedSSO_") else name.rsplit("_", 1)[0]
            assert short in readme, name


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_example_org", Path(__file__).with_name(
        "build_example_org.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_builder_reproduces_committed_files() -> None:
    built = _builder().build()
    assert built, "the builder wrote nothing"
    for path, text in built.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} differs: re-run tests/datasets/build_example_org.py"
    on_disk = {p for p in DATASET.iterdir() if p.suffix in {".json", ".toml"}}
    assert on_disk == {p for p in built if p.parent == DATASET}


def test_dataset_loads_with_trustgraph(expected: dict[str, Any]) -> None:
    from trustgraph.ingest.load import bundled_example_path, load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    assert Path(str(bundled_example_path())).resolve() == DATASET.resolve()
    estate = load_estate([DATASET])
    assert sorted(a.account_id for a in estate.accounts) == ["100000000001", "100000000002", "100000000003",
                                                             "210987654321"]
    assert sum(len(a.roles) for a in estate.accounts) == 38
    (org,) = estate.organizations
    assert org.org_id == "o-exampleorg1" and org.management_account_id == "100000000001"
    assert org.policies_known and org.accounts_known
    assert dict((a.account_id, a.parents) for a in org.accounts)["100000000002"] == ("r-ex12", "ou-ex12-workload")
    assert len(estate.identity_providers) == 5
    zone = zone_from_options(estate, [], str(DATASET / "zone.toml"))
    assert sorted(zone.accounts) == expected["zone"]["accounts"]
    assert sorted(zone.organizations) == expected["zone"]["organizations"]
    assert [p.provider for p in zone.identity_providers] == [p["provider"] for p in
                                                             expected["zone"]["identity_providers"]]
    assert not estate.account_inside(zone, "210987654321")
    assert estate.account_inside(zone, "100000000003")


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_blocking_pointers_resolve(expected: dict[str, Any]) -> None:
    pointers = [e["blocked_by"] for e in expected["unreachable"] if "blocked_by" in e]
    assert len(pointers) == 4
    for ref in pointers:
        name, pointer = ref.split("#", 1)
        target = _resolve(load(DATASET / name), pointer)
        assert target, ref
    deny = _resolve(load(DATASET / "gaad-100000000002.json"),
                    "/RoleDetailList/7/AssumeRolePolicyDocument/Statement/1")
    assert deny["Effect"] == "Deny" and deny["Sid"] == "NoPivotFromPartnerFacingRoles"
