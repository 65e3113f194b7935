"""get-account-authorization-details in every shape loads to the same model."""

from __future__ import annotations

import copy
import json
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from trustgraph.errors import IngestError
from trustgraph.ingest.gaad import account_from_gaad
from trustgraph.ingest.load import load_estate
from trustgraph.model.account import AccountSnapshot

from .conftest import SAMPLE

A, B = "111122223333", "444455556666"


def sample(account: str = A) -> dict[str, Any]:
    return json.loads((SAMPLE / f"gaad-{account}.json").read_text())


def content(snap: AccountSnapshot) -> tuple[object, ...]:
    """Everything a snapshot says, without where it was read from."""
    return (snap.account_id, snap.partition, snap.users, snap.groups, snap.roles, snap.policies,
            snap.instance_profiles)


def flag_view(snap: AccountSnapshot) -> list[tuple[str, str | None, str]]:
    return sorted((f.code, f.subject, f.message) for f in snap.flags)


def url_encode_documents(data: dict[str, Any]) -> dict[str, Any]:
    """The raw IAM API shape: every policy document a URL-encoded JSON string."""
    out = copy.deepcopy(data)

    def enc(doc: object) -> str:
        return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")

    for kind, key in (("UserDetailList", "UserPolicyList"), ("GroupDetailList", "GroupPolicyList"),
                      ("RoleDetailList", "RolePolicyList")):
        for entity in out[kind]:
            for p in entity.get(key, []):
                p["PolicyDocument"] = enc(p["PolicyDocument"])
    for role in out["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = enc(role["AssumeRolePolicyDocument"])
        for profile in role.get("InstanceProfileList", []):
            for inner in profile.get("Roles", []):
                inner["AssumeRolePolicyDocument"] = enc(inner["AssumeRolePolicyDocument"])
    for policy in out["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = enc(version["Document"])
    return out


def boto3_pages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Split an export the way boto3's paginator returns it (MaxItems per page over all lists)."""
    pages = [
        {"UserDetailList": data["UserDetailList"], "GroupDetailList": data["GroupDetailList"],
         "RoleDetailList": [], "Policies": []},
        {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": data["RoleDetailList"][:7], "Policies": []},
        {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": data["RoleDetailList"][7:], "Policies": []},
        {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": data["Policies"]},
    ]
    for i, page in enumerate(pages):
        page["IsTruncated"] = i < len(pages) - 1
        if i < len(pages) - 1:
            page["Marker"] = f"marker-{i}"
        page["ResponseMetadata"] = {"RequestId": f"req-{i}", "HTTPStatusCode": 200}
    return pages


def test_two_account_sample_loads(sample_dir: Path) -> None:
    estate = load_estate([sample_dir])
    a, b = estate.account_by_id[A], estate.account_by_id[B]
    assert len(a.roles) == 18
    assert {u.name: u.groups for u in a.users} == {"alice": ("Admins",), "bob": ("Developers",), "ci-bot": ()}
    assert {u.name for u in b.users} == {"vendor-operator", "b-admin"}
    assert {r.name for r in b.roles} == {"PartnerAutomation", "ci-runner"}
    [org] = estate.organizations
    assert (org.org_id, org.management_account_id, org.accounts_known, org.policies_known) == (
        "o-a1b2c3d4e5", A, True, False)
    assert org.is_member(A) is True and org.is_member(B) is False
    zone = estate.default_zone()
    # the organization is the zone: A (listed) inside, B (exported, not listed) outside
    assert zone.accounts == frozenset() and zone.organizations == {"o-a1b2c3d4e5"}
    assert estate.account_inside(zone, A) and not estate.account_inside(zone, B)


def test_sample_details_are_kept() -> None:
    snap = account_from_gaad(sample(), "a.json")
    bob = snap.user_by_arn[f"arn:aws:iam::{A}:user/bob"]
    assert bob.boundary_arn == f"arn:aws:iam::{A}:policy/DeveloperBoundary"
    assert bob.create_date == datetime(2024, 3, 1, 1, 15, tzinfo=UTC)
    ec2 = snap.role_by_arn[f"arn:aws:iam::{A}:role/app/AppServerEc2Role"]
    assert ec2.path == "/app/"
    assert ec2.instance_profile_arns == (f"arn:aws:iam::{A}:instance-profile/app/AppServerProfile",)
    assert snap.instance_profiles[0].role_arns == (ec2.arn,)
    deploy = snap.role_by_arn[f"arn:aws:iam::{A}:role/DeployRole"]
    assert str(deploy.trust_policy.statements[0].location) == (
        "a.json#/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0")
    assert deploy.managed_policy_arns == (f"arn:aws:iam::{A}:policy/app/DeployPolicy",)
    assert snap.role_by_arn[f"arn:aws:iam::{A}:role/aws-service-role/support.amazonaws.com/"
                            "AWSServiceRoleForSupport"].service_linked
    assert snap.flags == ()


def test_url_encoded_and_decoded_exports_load_to_equal_models() -> None:
    decoded = account_from_gaad(sample(), "cli.json")
    encoded = account_from_gaad(url_encode_documents(sample()), "api.json")
    assert content(encoded) == content(decoded)
    assert isinstance(url_encode_documents(sample())["RoleDetailList"][0]["AssumeRolePolicyDocument"], str)


def test_boto3_pages_in_one_file_equal_the_cli_export() -> None:
    cli = account_from_gaad(sample(), "cli.json")
    pages = account_from_gaad(boto3_pages(sample()), "pages.json")
    assert content(pages) == content(cli)


def test_boto3_pages_one_per_file_merge(tmp_path: Path) -> None:
    for i, page in enumerate(boto3_pages(sample())):
        # the last page holds only AWS managed and customer policies; pages carry no account in their name
        (tmp_path / f"page-{i}.json").write_text(json.dumps(page))
    estate = load_estate([tmp_path])
    [snap] = estate.accounts
    assert content(snap) == content(account_from_gaad(sample(), "cli.json"))
    assert len(snap.sources) == 4


def test_page_without_account_is_assigned_to_the_only_account(tmp_path: Path) -> None:
    data = sample()
    aws_only = [p for p in data["Policies"] if ":aws:policy/" in p["Arn"]]
    (tmp_path / "rest.json").write_text(json.dumps({**data, "Policies": [p for p in data["Policies"]
                                                                          if p not in aws_only]}))
    (tmp_path / "last.json").write_text(json.dumps({"Policies": aws_only, "IsTruncated": False}))
    [snap] = load_estate([tmp_path]).accounts
    assert content(snap)[:5] == content(account_from_gaad(data, "x.json"))[:5]
    assert {p.arn for p in snap.policies} == {p["Arn"] for p in data["Policies"]}


def test_page_without_account_and_two_accounts_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(sample(A)))
    (tmp_path / "b.json").write_text(json.dumps(sample(B)))
    (tmp_path / "c.json").write_text(json.dumps({"Policies": []}))
    with pytest.raises(IngestError, match=r"c\.json#: cannot tell which account this export describes"):
        load_estate([tmp_path])


def test_same_file_twice_is_loaded_once(sample_dir: Path) -> None:
    path = sample_dir / f"gaad-{A}.json"
    estate = load_estate([path, path, sample_dir])
    assert len(estate.account_by_id[A].roles) == 18


def test_two_different_exports_of_one_account_are_refused(tmp_path: Path) -> None:
    data = sample()
    changed = copy.deepcopy(data)
    changed["RoleDetailList"][0]["MaxSessionDuration"] = 7200
    (tmp_path / "old.json").write_text(json.dumps(data))
    (tmp_path / "new.json").write_text(json.dumps(changed))
    with pytest.raises(IngestError, match=r"is described differently at .*load only one of them"):
        load_estate([tmp_path])


def _set_timestamps(data: Any, convert: Any) -> Any:
    if isinstance(data, dict):
        return {k: (convert(v) if k in ("CreateDate", "UpdateDate", "LastUsedDate") and isinstance(v, str)
                    else _set_timestamps(v, convert)) for k, v in data.items()}
    if isinstance(data, list):
        return [_set_timestamps(v, convert) for v in data]
    return data


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("convert", [
    pytest.param(lambda t: t.replace("Z", "+00:00"), id="iso-offset"),
    pytest.param(lambda t: t.replace("T", " ").replace("Z", "+00:00"), id="python-str"),
    pytest.param(lambda t: t.replace("Z", ""), id="naive-utc"),
    pytest.param(lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(
        datetime.now().astimezone().tzinfo).isoformat(), id="local-offset"),
    pytest.param(lambda t: int(_epoch(t)), id="epoch-seconds"),
    pytest.param(lambda t: _epoch(t), id="epoch-float"),
    pytest.param(lambda t: int(_epoch(t) * 1000), id="epoch-milliseconds"),
])
def test_timestamp_variants_load_to_equal_models(convert: Any) -> None:
    data = sample()
    data["RoleDetailList"][0]["RoleLastUsed"] = {"LastUsedDate": "2024-06-01T12:00:00Z", "Region": "eu-west-1"}
    expected = account_from_gaad(data, "wire.json")
    variant = account_from_gaad(_set_timestamps(data, convert), "variant.json")
    assert content(variant) == content(expected)
    assert variant.roles[0].last_used == datetime(2024, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("boundary_type", ["Policy", "PermissionsBoundaryPolicy", None])
def test_boundary_type_variants(boundary_type: str | None) -> None:
    data = sample()
    for entity in (*data["UserDetailList"], *data["RoleDetailList"]):
        boundary = entity.get("PermissionsBoundary")
        if boundary:
            if boundary_type is None:
                del boundary["PermissionsBoundaryType"]
            else:
                boundary["PermissionsBoundaryType"] = boundary_type
    assert content(account_from_gaad(data, "v.json")) == content(account_from_gaad(sample(), "s.json"))


def test_unresolved_aws_managed_policy_is_flagged_once_with_its_subjects() -> None:
    data = sample()
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    data["Policies"] = [p for p in data["Policies"] if p["Arn"] != admin]
    # attach it a second time elsewhere: still one flag for the policy
    data["RoleDetailList"][0]["AttachedManagedPolicies"].append({"PolicyName": "AdministratorAccess",
                                                                 "PolicyArn": admin})
    snap = account_from_gaad(data, "a.json")
    flags = [f for f in snap.flags if f.code == "unresolved-managed-policy"]
    assert len(flags) == 1
    [flag] = flags
    assert flag.subject == admin
    subjects = [arn for arn in (f"arn:aws:iam::{A}:group/Admins", f"arn:aws:iam::{A}:role/AdminRole",
                                f"arn:aws:iam::{A}:role/BreakGlassAdminRole") if arn in flag.message]
    assert len(subjects) == 3
    assert flag.message.startswith(f"AWS managed policy `{admin}` is attached to ")
    assert admin in snap.role_by_arn[f"arn:aws:iam::{A}:role/AdminRole"].managed_policy_arns  # reference kept
    assert snap.managed_documents((admin,)) == ()


def test_unresolved_flags_are_recomputed_after_merging_pages() -> None:
    pages = boto3_pages(sample())
    # the policies page resolves references made on earlier pages: no flag
    assert [f for f in account_from_gaad(pages, "p.json").flags if f.code == "unresolved-managed-policy"] == []


def test_managed_policy_document_is_the_default_version() -> None:
    data = sample()
    policy = next(p for p in data["Policies"] if p["PolicyName"] == "DeployPolicy")
    old = copy.deepcopy(policy["PolicyVersionList"][0])
    old.update(VersionId="v1", IsDefaultVersion=False,
               Document={"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    current = policy["PolicyVersionList"][0]
    current.update(VersionId="v2", IsDefaultVersion=True)
    policy["DefaultVersionId"] = "v2"
    policy["PolicyVersionList"] = [old, current]
    snap = account_from_gaad(data, "a.json")
    doc = snap.policy_by_arn[policy["Arn"]].document
    assert doc is not None and doc.statements[0].effect.value == "Allow"
    assert str(doc.location) == f"a.json#/Policies/{data['Policies'].index(policy)}/PolicyVersionList/1/Document"
    # without DefaultVersionId, IsDefaultVersion decides
    del policy["DefaultVersionId"]
    assert account_from_gaad(data, "a.json").policy_by_arn[policy["Arn"]].document == doc


def test_managed_policy_without_default_version_is_flagged() -> None:
    data = sample()
    policy = next(p for p in data["Policies"] if p["PolicyName"] == "DeployPolicy")
    policy["PolicyVersionList"] = []
    snap = account_from_gaad(data, "a.json")
    assert snap.policy_by_arn[policy["Arn"]].document is None
    assert [f.code for f in snap.flags] == ["managed-policy-document-missing"]


def test_policy_flags_become_snapshot_flags_with_the_subject() -> None:
    data = sample()
    data["RoleDetailList"][3]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "AWS": "arn:aws:iam::4444*:root"}
    snap = account_from_gaad(data, "a.json")
    [flag] = snap.flags
    assert (flag.code, flag.subject, str(flag.location)) == (
        "partial-wildcard-principal", f"arn:aws:iam::{A}:role/VendorIntegrationRole",
        "a.json#/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0")


def test_trust_policies_parse_as_trust_and_inline_as_identity() -> None:
    data = sample()
    del data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    snap = account_from_gaad(data, "a.json")
    assert [f.code for f in snap.flags] == ["missing-principal"]  # only a trust policy needs a Principal


def test_aws_managed_policy_arns_do_not_count_as_another_account() -> None:
    snap = account_from_gaad(sample(), "a.json")
    assert any(p.aws_managed for p in snap.policies)
    assert snap.account_id == A


def test_gov_cloud_partition_is_kept() -> None:
    text = json.dumps(sample(B)).replace("arn:aws:", "arn:aws-us-gov:")
    snap = account_from_gaad(json.loads(text), "gov.json")
    assert (snap.account_id, snap.partition) == (B, "aws-us-gov")


def test_mixed_partition_is_an_error() -> None:
    data = sample(B)
    data["RoleDetailList"][1]["Arn"] = data["RoleDetailList"][1]["Arn"].replace("arn:aws:", "arn:aws-cn:")
    with pytest.raises(IngestError, match=r"^b\.json#/RoleDetailList/1/Arn: expected an ARN of account 444455556666 "
                                          r"in partition aws"):
        account_from_gaad(data, "b.json")


def test_account_from_file_name_when_export_is_empty() -> None:
    snap = account_from_gaad({"UserDetailList": [], "RoleDetailList": [], "Policies": []}, "exports/123456789012.json")
    assert snap.account_id == "123456789012" and snap.roles == ()
